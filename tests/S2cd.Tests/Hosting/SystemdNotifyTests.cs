using S2cd.Contract;
using System.Net.Sockets;
using System.Text;
using S2cd.Tests.Support;

namespace S2cd.Tests.Hosting;

/// <summary>sd_notify through a real Unix datagram socket set as NOTIFY_SOCKET, and shutdown on SIGTERM.</summary>
public sealed class SystemdNotifyTests
{
    [Fact(Timeout = 60_000)]
    public async Task Daemon_UnderNotifySocket_SendsReadyAfterListeningAndStoppingOnSigterm()
    {
        using var root = new TempDirectory();
        using var notify = BindNotifySocket(root, out var notifyPath);

        await using var daemon = DaemonProcess.Start(
            root, "d", ["--listen", "127.0.0.1:0"], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notifyPath });

        var ready = await ReceiveUntilAsync(notify, "READY=1", TimeSpan.FromSeconds(30));
        Assert.True(ready, $"no READY=1\n{daemon.Output}");

        // READY=1 promises that the control socket already answers.
        await using (var client = await TestControlClient.ConnectAsync(daemon.SocketPath))
        {
            Assert.Equal(DaemonRole.Participant, (await client.StatusAsync()).Role);
        }

        daemon.Signal(Interop.SIGTERM);
        Assert.True(await ReceiveUntilAsync(notify, "STOPPING=1", TimeSpan.FromSeconds(5)), "no STOPPING=1");
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(5)), "did not stop within 5 s of SIGTERM");
        Assert.Equal(0, daemon.ExitCode);
        Assert.False(File.Exists(daemon.SocketPath), "the control socket is removed on a clean stop");
    }

    [Fact(Timeout = 90_000)]
    public async Task Watchdog_PingsWhileHealthy_AndStopsWithAReasonWhenTheCameraHangs()
    {
        using var root = new TempDirectory();
        using var notify = BindNotifySocket(root, out var notifyPath);

        // A camera that never answers: a named pipe nobody writes to, so opening it blocks (as a hung driver would).
        var fifo = Path.Combine(root.Path, "camera.fifo");
        Assert.Equal(0, Interop.mkfifo(fifo, 0x1B6));
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notifyPath, ["WATCHDOG_USEC"] = "1000000" };
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--camera", fifo, "--Audio:Enabled", "false"], environment);
        Assert.True(await ReceiveUntilAsync(notify, "READY=1", TimeSpan.FromSeconds(30)), $"no READY=1\n{daemon.Output}");
        var pings = 0;
        for (var i = 0; i < 3; i++)
        {
            pings += await ReceiveUntilAsync(notify, "WATCHDOG=1", TimeSpan.FromSeconds(3)) ? 1 : 0;
        }

        Assert.Equal(3, pings);

        // Joining wants the camera: its loop blocks in open and stops beating.
        await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
        var relay = (await client.StatusAsync()).RelayListen!;
        _ = client.JoinAsync("watch", relay: relay);
        Assert.True(
            await ReceiveUntilAsync(notify, "STATUS=unhealthy: the camera loop has made no progress for 5 s", TimeSpan.FromSeconds(20), prefix: true),
            $"no unhealthy status\n{daemon.Output}");
        Assert.False(await ReceiveUntilAsync(notify, "WATCHDOG=1", TimeSpan.FromSeconds(2)), "pings go on while the camera hangs");
        Assert.Contains("Unhealthy, no more watchdog pings", daemon.Output, StringComparison.Ordinal);
        daemon.Kill();
    }

    [Fact(Timeout = 90_000)]
    public async Task Watchdog_StopsWhileTheMicrophoneHangs_AndResumesWithHealthyAgainWhenItAnswers()
    {
        using var root = new TempDirectory();
        using var notify = BindNotifySocket(root, out var notifyPath);

        // A microphone that does not answer: ALSA's file plugin reading a named pipe nobody has opened yet, so
        // snd_pcm_open blocks in the driver until the test opens the other end (as a hung device would, then recovers).
        var home = root.Sub("d");
        var fifo = Path.Combine(home, "capture.pipe");
        Assert.Equal(0, Interop.mkfifo(fifo, 0x1B6));
        await File.WriteAllTextAsync(Path.Combine(home, ".asoundrc"), $$"""
            pcm.hung_in { type file slave.pcm "null" file "/dev/null" infile "{{fifo}}" format "raw" }
            """, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notifyPath, ["WATCHDOG_USEC"] = "1000000" };
        await using var daemon = DaemonProcess.Start(
            root, "d", ["--listen", "127.0.0.1:0", "--Audio:CaptureDevice", "hung_in", "--Audio:PlaybackDevice", "null"], environment);
        Assert.True(await ReceiveUntilAsync(notify, "READY=1", TimeSpan.FromSeconds(30)), $"no READY=1\n{daemon.Output}");
        Assert.True(await ReceiveUntilAsync(notify, "WATCHDOG=1", TimeSpan.FromSeconds(3)), "pings while healthy");

        await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
        await client.Rpc.InvokeAsync<S2cd.Contract.StatusResult>(S2cd.Contract.ControlProtocol.Methods.SetCamera, false);
        var relay = (await client.StatusAsync()).RelayListen!;
        await client.JoinAsync("watch", relay: relay);
        Assert.True(
            await ReceiveUntilAsync(notify, "STATUS=unhealthy: the microphone loop has made no progress", TimeSpan.FromSeconds(20), prefix: true),
            $"no unhealthy status\n{daemon.Output}");
        Assert.False(await ReceiveUntilAsync(notify, "WATCHDOG=1", TimeSpan.FromSeconds(2)), "pings go on while the microphone hangs");

        // The device answers: sound at the pace of a card, 48 kHz mono S16.
        using var feeding = new CancellationTokenSource();
        var feeder = Task.Run(async () =>
        {
            await using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            var period = new byte[1920];
            while (!feeding.IsCancellationRequested)
            {
                await pipe.WriteAsync(period, feeding.Token);
                await Task.Delay(10, feeding.Token);
            }
        }, TestContext.Current.CancellationToken);
        Assert.True(await ReceiveUntilAsync(notify, "STATUS=healthy again", TimeSpan.FromSeconds(20)), $"no healthy again\n{daemon.Output}");
        Assert.True(await ReceiveUntilAsync(notify, "WATCHDOG=1", TimeSpan.FromSeconds(3)), "pings resume");
        // The log line reaches standard output on its own path, after the datagram at times (the native daemon).
        await Eventually.TrueAsync(() => Task.FromResult(daemon.Output.Contains("Healthy again; watchdog pings resume", StringComparison.Ordinal)), TimeSpan.FromSeconds(5), "the log says healthy again");
        await Eventually.TrueAsync(async () => (await client.StatusAsync()).Microphone == DeviceStatus.On("hung_in"), TimeSpan.FromSeconds(10), "the microphone is on");
        daemon.Kill();
        await feeding.CancelAsync();
        await Record.ExceptionAsync(() => feeder);
    }

    /// <summary>A datagram socket in <paramref name="root"/> for the daemon's NOTIFY_SOCKET, as systemd gives one.</summary>
    private static Socket BindNotifySocket(TempDirectory root, out string path)
    {
        path = Path.Combine(root.Path, "notify");
        var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(path));
        return notify;
    }

    private static async Task<bool> ReceiveUntilAsync(Socket socket, string expected, TimeSpan within, bool prefix = false)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, read);
                if (message.Split('\n').Any(line => prefix ? line.StartsWith(expected, StringComparison.Ordinal) : line == expected))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
