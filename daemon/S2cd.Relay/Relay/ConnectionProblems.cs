using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace S2cd.Relay;

/// <summary>
/// Connections the relay refused or that failed, counted by cause and logged as one summary line per cause per
/// interval (<see cref="RelayOptions.LogSummarySeconds"/>), with the last example: 500 garbage connections make
/// one line, not 500, so the log stays readable under attack while the counts go to the metrics.
/// </summary>
internal sealed partial class ConnectionProblems : IDisposable
{
    public const string TlsHandshakeFailed = "TLS handshake failed";
    public const string JoinRefused = "join refused";
    public const string NoHello = "no hello in time";
    public const string InvalidFrame = "invalid frame";
    public const string ConnectionFailed = "connection failed";

    /// <summary>Every cause, so that the metrics show each from the start (at 0).</summary>
    public static readonly string[] Causes = [TlsHandshakeFailed, JoinRefused, NoHello, InvalidFrame, ConnectionFailed];

    private readonly ConcurrentDictionary<string, Cause> _causes = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private int _armed;

    /// <summary>
    /// The timer runs only while something waits to be summed up: armed by the first report of an interval, so a relay
    /// with nothing to report (an embedded one, mostly) does not wake up every interval for nothing.
    /// </summary>
    public ConnectionProblems(TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _logger = logger;
        _timer = time.CreateTimer(_ => OnInterval(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Interval = interval;
    }

    public TimeSpan Interval { get; }

    /// <summary>Counts a connection refused or failed for <paramref name="cause"/> (a short fixed phrase), from <paramref name="remote"/>.</summary>
    public void Report(string cause, string remote, string detail)
    {
        var entry = _causes.GetOrAdd(cause, static c => new Cause());
        lock (entry)
        {
            entry.Total++;
            entry.InInterval++;
            entry.LastRemote = remote;
            entry.LastDetail = detail;
        }

        if (Interlocked.Exchange(ref _armed, 1) == 0)
        {
            _timer.Change(Interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>How many connections <paramref name="cause"/> has counted since the relay started.</summary>
    public long Total(string cause)
    {
        if (!_causes.TryGetValue(cause, out var entry))
        {
            return 0;
        }

        lock (entry)
        {
            return entry.Total;
        }
    }

    /// <summary>The interval ended: disarmed first, so that a report made while flushing arms the next one.</summary>
    private void OnInterval()
    {
        Volatile.Write(ref _armed, 0);
        Flush();
    }

    /// <summary>Writes the summary lines of the interval that ended (also on stop, so nothing counted goes unsaid).</summary>
    public void Flush()
    {
        foreach (var (cause, entry) in _causes)
        {
            long count;
            string? remote, detail;
            lock (entry)
            {
                (count, remote, detail) = (entry.InInterval, entry.LastRemote, entry.LastDetail);
                entry.InInterval = 0;
            }

            if (count == 1)
            {
                LogOne(cause, remote ?? "?", detail ?? string.Empty);
            }
            else if (count > 1)
            {
                LogSummary(cause, count, Interval.TotalSeconds, remote ?? "?", detail ?? string.Empty);
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }

    [LoggerMessage(EventId = RelayLogEvents.One, Level = LogLevel.Warning, Message = "{Cause}: {Remote}: {Detail}")]
    private partial void LogOne(string cause, string remote, string detail);

    [LoggerMessage(EventId = RelayLogEvents.Summary, Level = LogLevel.Warning, Message = "{Cause}: {Count} connections in the last {Seconds} s (the last from {Remote}: {Detail})")]
    private partial void LogSummary(string cause, long count, double seconds, string remote, string detail);

    private sealed class Cause
    {
        public long Total;
        public long InInterval;
        public string? LastRemote;
        public string? LastDetail;
    }
}
