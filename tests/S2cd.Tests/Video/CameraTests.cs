using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Video;

/// <summary>Cameras through real daemons: a missing camera is reported and retried; camera off shows a placeholder to others.</summary>
public sealed class CameraTests
{
    [Fact(Timeout = 90_000)]
    public async Task MissingCamera_IsShownInStatusAndRetriedUntilItAppears()
    {
        using var root = new TempDirectory();
        var later = Path.Combine(root.Path, "later.avi");
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--camera", later, "--Video:RetrySeconds", "0.5"]);
        await daemon.WaitReadyAsync();
        await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
        var status = await client.StatusAsync();
        await client.JoinAsync("cam", relay: status.RelayListen);
        await Eventually.TrueAsync(
            async () => (await client.StatusAsync()).Camera is { Condition: DeviceCondition.Unavailable, Detail: { } d } && d.StartsWith("video file", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "camera reported unavailable");
        Assert.Equal(ConnectionState.Connected, (await client.StatusAsync()).Connection);

        // Write to a temporary name and move it into place, so the daemon never sees half a file.
        TestVideo.Stripes(Path.Combine(root.Path, "tmp.avi"));
        File.Move(Path.Combine(root.Path, "tmp.avi"), later);
        await Eventually.TrueAsync(
            async () => (await client.StatusAsync()).Camera is { Condition: DeviceCondition.On, Detail: { } d } && d.StartsWith("file", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "camera on once the file exists");
        await Eventually.TrueAsync(
            async () => (await client.WhoAsync()).Single(p => p.IsSelf).VideoFps > 5,
            TimeSpan.FromSeconds(10),
            "own pictures flowing");
    }

    [Theory(Timeout = 90_000)]
    [InlineData("/dev/video9", "/dev/video9 does not exist")]
    [InlineData("9", "cannot open 9")]
    [InlineData("/nonexistent/film.avi", "video file /nonexistent/film.avi does not exist")]
    public async Task Camera_AV4l2DeviceOrIndexOrFileThatIsNotThere_SaysWhichInStatus_AndTheCallGoesOn(string camera, string expected)
    {
        // No camera on these machines: what is tested is how Video:Camera is read (a device path, an index, a file)
        // and what a person is told when that camera is not there.
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--camera", camera, "--Video:RetrySeconds", "0.5", "--Audio:Enabled", "false"]);
        await daemon.WaitReadyAsync();
        await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
        await client.JoinAsync("cam", relay: (await client.StatusAsync()).RelayListen);
        await Eventually.TrueAsync(async () => (await client.StatusAsync()).Camera == DeviceStatus.Unavailable(expected, TimeSpan.FromSeconds(0.5)), TimeSpan.FromSeconds(10), $"camera unavailable: {expected}");
        var status = await client.StatusAsync();
        Assert.Equal(ConnectionState.Connected, status.Connection);
        Assert.Contains(new Problem(ProblemKind.CameraUnavailable, expected), status.Problems);
    }

    [Fact(Timeout = 90_000)]
    public async Task CameraOff_OthersSeePlaceholderAndNoMorePictures()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}");
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}");
        await using var a = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var b = await TestControlClient.ConnectAsync(bob.SocketPath);
        await a.JoinAsync("off");
        await b.JoinAsync("off");
        await Eventually.TrueAsync(async () => (await b.WhoAsync()).Any(p => p.Name == "alice" && p.VideoFps > 5), TimeSpan.FromSeconds(15), "alice's pictures reach bob");

        await a.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetCamera, false);
        await Eventually.TrueAsync(async () => (await b.WhoAsync()).Any(p => p.Name == "alice" && !p.CameraOn), TimeSpan.FromSeconds(2), "bob sees alice's camera off");

        var viewId = await b.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 100, Rows = 30, Mode = "ascii", HideSelf = true });
        var frame = await b.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, viewId, -1L, 0);
        Assert.Contains("camera off", frame.Data, StringComparison.Ordinal);
        Assert.Contains("alice", frame.Data, StringComparison.Ordinal);

        // Nothing is sent while the camera is off: alice's capture stops and bob's count of her pictures stands still.
        await Eventually.TrueAsync(async () => (await a.StatusAsync()).Camera == DeviceStatus.Off, TimeSpan.FromSeconds(2), "alice's camera stopped");
        await Eventually.TrueAsync(async () => (await b.WhoAsync()).Single(p => p.Name == "alice").VideoFps == 0, TimeSpan.FromSeconds(5), "no pictures from alice");
    }

    [Fact(Timeout = 60_000)]
    public async Task ViewOpen_InvalidRequests_AreRefused()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0"]);
        await daemon.WaitReadyAsync();
        await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
        foreach (var request in new[]
        {
            new ViewRequest { Columns = 2, Rows = 30 },
            new ViewRequest { Columns = 100, Rows = 100_000 },
            new ViewRequest { Columns = 100, Rows = 30, Mode = "sixel" },
            new ViewRequest { Columns = 100, Rows = 30, Colors = "16m" },
            new ViewRequest { Columns = 100, Rows = 30, Ramp = "\u001b[2J" },
        })
        {
            var ex = await Assert.ThrowsAsync<StreamJsonRpc.RemoteInvocationException>(() => client.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, request));
            Assert.Equal(ControlProtocol.ErrorCodes.InvalidArgument, ex.ErrorCode);
        }

        var missing = await Assert.ThrowsAsync<StreamJsonRpc.RemoteInvocationException>(() => client.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, 99, -1L, 0));
        Assert.Contains("no view 99", missing.Message, StringComparison.Ordinal);
        Assert.NotNull(await client.StatusAsync());
    }
}
