using System.Diagnostics;
using System.Text;
using S2cd.Contract;
using S2cd.Tests.Support;
using StreamJsonRpc;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// A view whose client gets its frames out slowly (a thin SSH link, a slow pipe): the daemon learns the rate from
/// how long the client takes to ask again, and keeps each frame small enough to come several times a second,
/// instead of sending full frames of a moving picture that would queue up seconds behind each other.
/// </summary>
public sealed class SlowViewerTests
{
    [Fact(Timeout = 120_000)]
    public async Task AViewerThatWritesAt32KBps_GetsFramesThatFitItsOutput_WithThePictureStillMoving()
    {
        using var root = new TempDirectory();
        var video = TestVideo.Drifting(Path.Combine(root.Path, "drift.avi"));
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", "--camera", video);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "thin")).ExitCode);
        Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "join", "thin")).ExitCode);

        await using var client = await TestControlClient.ConnectAsync(bob.SocketPath);
        var viewId = await client.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 125, Rows = 48, Mode = "blocks", HideSelf = true });

        // Write each frame as a 32 KB/s link would: its bytes take their time before the next is asked for.
        const double rate = 32 * 1024;
        var version = 0L;
        var sizes = new List<int>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(12))
        {
            var frame = await client.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, viewId, version, 1000);
            version = frame.Version;
            var bytes = Encoding.UTF8.GetByteCount(frame.Data);
            if (clock.Elapsed > TimeSpan.FromSeconds(6))
            {
                sizes.Add(bytes);
            }

            await Task.Delay(TimeSpan.FromSeconds(bytes / rate), TestContext.Current.CancellationToken);
        }

        // After the first seconds: frames of a few KB (0.08 s of output, at least 3 KB), several a second, and
        // the picture moving in them (not only the status line).
        sizes.Sort();
        var seconds = 6.0;
        Assert.True(sizes.Count / seconds >= 5, $"{sizes.Count / seconds:0.0} frames/s");
        Assert.True(sizes[(int)(sizes.Count * 0.9)] <= 4 * 1024, $"90th percentile frame {sizes[(int)(sizes.Count * 0.9)]} bytes");
        Assert.True(sizes[sizes.Count / 2] >= 1500, $"median frame {sizes[sizes.Count / 2]} bytes: the picture is not moving in them");
    }
}
