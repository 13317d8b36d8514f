using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using S2cd.Transport;

namespace S2cd.Tests.Transport;

/// <summary>Heartbeats on a fake clock: no test here waits for real seconds to pass.</summary>
public sealed class FrameConnectionHeartbeatTests
{
    private static readonly FrameConnectionOptions Options = new() { HeartbeatInterval = TimeSpan.FromSeconds(1), HeartbeatTimeout = TimeSpan.FromSeconds(3.5) };

    [Fact(Timeout = 30_000)]
    public async Task APeerThatSaysNothing_IsClosedAfterTheTimeout_AndNotBefore()
    {
        var time = new FakeTimeProvider();
        var (ours, theirs) = await PairAsync();
        using var _ = theirs;
        await using var connection = new FrameConnection(new NetworkStream(ours, ownsSocket: true), Options, time);
        var run = connection.RunAsync((_, _) => { }, CancellationToken.None);

        // The silent peer (a socket nobody reads or writes) is tolerated for 3.5 s of the fake clock...
        await AdvanceAsync(time, TimeSpan.FromSeconds(3));
        Assert.False(run.IsCompleted, "closed before the timeout");

        // ...and closed at the first heartbeat after it.
        await AdvanceAsync(time, TimeSpan.FromSeconds(2));
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("nothing heard from the peer for 3.5 s", connection.CloseReason);
    }

    [Fact(Timeout = 30_000)]
    public async Task APeerThatAnswersPings_StaysOpenAsLongAsTheClockRuns_AndTheRoundTripIsMeasured()
    {
        var time = new FakeTimeProvider();
        var (ours, theirs) = await PairAsync();
        await using var connection = new FrameConnection(new NetworkStream(ours, ownsSocket: true), Options, time);
        await using var peer = new FrameConnection(new NetworkStream(theirs, ownsSocket: true), Options, time);
        var run = connection.RunAsync((_, _) => { }, CancellationToken.None);
        var peerRun = peer.RunAsync((_, _) => { }, CancellationToken.None);
        await AdvanceAsync(time, TimeSpan.FromSeconds(20));
        Assert.False(run.IsCompleted || peerRun.IsCompleted, connection.CloseReason ?? peer.CloseReason);
        Assert.NotNull(connection.RoundTrip);
        connection.Abort("done");
        peer.Abort("done");
        await Task.WhenAll(run, peerRun).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Moves the fake clock in heartbeat-sized steps, letting the loops run between them.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan by)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMilliseconds(250))
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(10);
        }
    }

    private static async Task<(Socket Ours, Socket Theirs)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var ours = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await ours.ConnectAsync(listener.LocalEndPoint!);
        return (ours, await listener.AcceptAsync());
    }
}
