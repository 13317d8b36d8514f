using Microsoft.Extensions.Time.Testing;
using S2cd.Relay;
using S2cd.Tests.Support;

namespace S2cd.Tests.Relay;

/// <summary>
/// Refused and failed connections, counted by cause and logged as one line per cause per interval, on a fake clock:
/// many make one summary line, one makes one line, and an interval with nothing in it logs nothing.
/// </summary>
public sealed class ConnectionProblemsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    [Fact]
    public void ManyInAnInterval_MakeOneSummaryLine_OneMakesOneLine_AndQuietIntervalsNone()
    {
        var time = new FakeTimeProvider();
        var log = new ListLogger();
        using var problems = new ConnectionProblems(Interval, time, log);

        for (var i = 0; i < 500; i++)
        {
            problems.Report(ConnectionProblems.TlsHandshakeFailed, $"10.0.0.{i % 250}:4000", "not TLS");
        }

        problems.Report(ConnectionProblems.NoHello, "10.0.1.1:4000", "nothing joined within 5 s");
        Assert.Empty(log.Lines);
        time.Advance(Interval);
        Assert.Equal(2, log.Lines.Count);
        Assert.Contains(log.Lines, l => l.StartsWith("TLS handshake failed: 500 connections in the last 60 s (the last from 10.0.0.249:4000: not TLS)", StringComparison.Ordinal));
        Assert.Contains("no hello in time: 10.0.1.1:4000: nothing joined within 5 s", log.Lines);

        // Quiet intervals say nothing; the next problem is told at the end of its interval, counted from its report.
        time.Advance(Interval * 5);
        Assert.Equal(2, log.Lines.Count);
        time.Advance(TimeSpan.FromSeconds(7));
        problems.Report(ConnectionProblems.JoinRefused, "10.0.2.2:4000", "relay busy");
        time.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(2, log.Lines.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("join refused: 10.0.2.2:4000: relay busy", log.Lines[^1]);
        Assert.Equal(500, problems.Total(ConnectionProblems.TlsHandshakeFailed));
        Assert.Equal(1, problems.Total(ConnectionProblems.JoinRefused));
        Assert.Equal(0, problems.Total(ConnectionProblems.InvalidFrame));
    }

    [Fact]
    public void WhatIsCountedWhenTheRelayStops_IsStillSaid()
    {
        var time = new FakeTimeProvider();
        var log = new ListLogger();
        var problems = new ConnectionProblems(Interval, time, log);
        problems.Report(ConnectionProblems.InvalidFrame, "10.0.3.3:4000", "frame over the size limit");
        problems.Dispose();
        Assert.Equal(["invalid frame: 10.0.3.3:4000: frame over the size limit"], log.Lines);
    }
}
