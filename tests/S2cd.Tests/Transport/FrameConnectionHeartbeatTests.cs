using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using S2cd.Tests.Support;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Tests.Transport;

/// <summary>
/// Heartbeats on a fake clock: no test here waits for real seconds to pass. Where frames cross the real socket between
/// the two ends, the clock moves on only once they have arrived (the connections count what they read), so the fake
/// clock never races the socket.
/// </summary>
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
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
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

        // 20 s of the clock, a heartbeat interval at a time: each interval both ends send a Ping and answer the
        // other's with a Pong; the clock waits until each end has read both before it moves on.
        for (var second = 1; second <= 20; second++)
        {
            var (ourFrames, peerFrames) = (connection.FramesReceived, peer.FramesReceived);
            time.Advance(Options.HeartbeatInterval);
            await Eventually.TrueAsync(
                () => Task.FromResult(connection.FramesReceived >= ourFrames + 2 && peer.FramesReceived >= peerFrames + 2 || run.IsCompleted || peerRun.IsCompleted),
                TimeSpan.FromSeconds(10),
                $"the heartbeats of second {second} crossed the socket");
        }

        Assert.False(run.IsCompleted || peerRun.IsCompleted, connection.CloseReason ?? peer.CloseReason);
        Assert.NotNull(connection.RoundTrip);
        connection.Abort("done");
        peer.Abort("done");
        await Task.WhenAll(run, peerRun).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 30_000)]
    public async Task APong_GoesAheadOfMediaQueuedForASlowPeer()
    {
        // The peer does not read for a while: most of 300 video frames wait in our queue. Its Ping is answered
        // before them, so a link busy with media is not taken for dead.
        var (ours, theirs) = await PairAsync();
        ours.SendBufferSize = 16 * 1024;
        theirs.ReceiveBufferSize = 16 * 1024;
        using var peer = theirs;
        await using var connection = new FrameConnection(new NetworkStream(ours, ownsSocket: true), Options, new FakeTimeProvider());
        var run = connection.RunAsync((_, _) => { }, CancellationToken.None);
        for (var i = 0; i < 300; i++)
        {
            var frame = SharedFrame.Rent(4200);
            FrameWriter.WriteMedia(frame, MediaKind.Video, new byte[4096]);
            connection.SendMedia(frame, MediaKind.Video, (uint)i);
        }

        // The writer has filled the socket and the rest waits in our queue...
        await Eventually.TrueAsync(() => Task.FromResult(connection.Queue.Count > 0 && connection.Queue.Count < 300), TimeSpan.FromSeconds(10), "the socket full, media waiting in the queue");
        var ping = new ArrayBufferWriter<byte>();
        FrameWriter.WritePing(ping, FrameType.Ping, 42);
        await theirs.SendAsync(ping.WrittenMemory, TestContext.Current.CancellationToken);

        // ...when the Ping is read.
        await Eventually.TrueAsync(() => Task.FromResult(connection.FramesReceived == 1), TimeSpan.FromSeconds(10), "our end read the Ping");

        var received = new List<FrameType>();
        var buffer = new ArrayBufferWriter<byte>();
        while (received.Count(t => t == FrameType.Media) < 300)
        {
            var n = await theirs.ReceiveAsync(buffer.GetMemory(64 * 1024), TestContext.Current.CancellationToken);
            Assert.True(n > 0, "closed");
            buffer.Advance(n);
            var data = new ReadOnlySequence<byte>(buffer.WrittenMemory);
            while (FrameReader.TryReadFrame(ref data, WireProtocol.AbsoluteMaxFrameBytes, out var type, out _))
            {
                received.Add(type);
            }

            var rest = data.ToArray();
            buffer.Clear();
            buffer.Write(rest);
        }

        var pong = received.IndexOf(FrameType.Pong);
        Assert.True(pong >= 0 && pong < 200, $"the Pong came after {pong} media frames");
        connection.Abort("done");
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
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
