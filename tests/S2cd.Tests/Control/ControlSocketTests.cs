using System.Net.Sockets;
using System.Text;
using S2cd.Contract;
using S2cd.Tests.Support;
using StreamJsonRpc;

namespace S2cd.Tests.Control;

/// <summary>
/// Bad input on the control socket of a real daemon: each gets an error or a closed connection, and the
/// daemon and a bystander client carry on (the bystander stays in its session and keeps getting answers).
/// </summary>
public sealed class ControlSocketTests : IClassFixture<ControlSocketTests.Daemon>
{
    private readonly Daemon _daemon;
    private readonly ITestOutputHelper _output;

    public ControlSocketTests(Daemon daemon, ITestOutputHelper output) => (_daemon, _output) = (daemon, output);

    [Theory(Timeout = 30_000)]
    [InlineData("", "session name is empty")]
    [InlineData("a200", "at most 64")]
    [InlineData("bad name", "only letters")]
    [InlineData("tab\tname", "only letters")]
    public async Task Join_InvalidSessionName_IsRefusedAndChangesNothing(string session, string expected)
    {
        if (session == "a200")
        {
            session = new string('a', 200);
        }

        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var ex = await Assert.ThrowsAsync<RemoteInvocationException>(() => client.JoinAsync(session));
        Assert.Equal(ControlProtocol.ErrorCodes.InvalidArgument, ex.ErrorCode);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Theory(Timeout = 30_000)]
    [InlineData("evil\u001b[2Jname")]
    [InlineData("bell\u0007")]
    [InlineData("zero\u200bwidth")]
    [InlineData(" padded")]
    public async Task Join_DisplayNameWithControlCharacters_IsRefused(string name)
    {
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var ex = await Assert.ThrowsAsync<RemoteInvocationException>(() => client.JoinAsync("fine", name));
        Assert.Equal(ControlProtocol.ErrorCodes.InvalidArgument, ex.ErrorCode);
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task Join_RelayAddressInvalid_IsRefused()
    {
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var ex = await Assert.ThrowsAsync<RemoteInvocationException>(() => client.JoinAsync("fine", relay: "nowhere:99999"));
        Assert.Contains("port", ex.Message, StringComparison.Ordinal);
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task UnknownMethod_GetsMethodNotFound()
    {
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var ex = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => client.Rpc.InvokeAsync<object>("formatHardDisk"));
        Assert.Equal(-32601, (int)ex.ErrorCode);
        Assert.NotNull(await client.StatusAsync());
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task CallBeforeHello_IsRefusedWithVersionError()
    {
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath, hello: false);
        var ex = await Assert.ThrowsAsync<RemoteInvocationException>(client.StatusAsync);
        Assert.Equal(ControlProtocol.ErrorCodes.VersionMismatch, ex.ErrorCode);
        Assert.Contains("hello", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Hello_IncompatibleVersion_GetsClearError()
    {
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath, hello: false);
        var ex = await Assert.ThrowsAsync<RemoteInvocationException>(
            () => client.Rpc.InvokeAsync<HelloResult>(ControlProtocol.Methods.Hello, ControlProtocol.Version + 7, "old"));
        Assert.Equal(ControlProtocol.ErrorCodes.VersionMismatch, ex.ErrorCode);
        Assert.Contains($"control protocol {ControlProtocol.Version}", ex.Message, StringComparison.Ordinal);
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task MalformedJson_ClosesOnlyThatConnection()
    {
        using var raw = await RawConnectAsync();
        await raw.SendAsync(Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\",,,\n"));
        Assert.True(await ReadsToEndAsync(raw, TimeSpan.FromSeconds(10)), "the daemon closes a connection that sends malformed JSON");
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task TenMegabyteMessage_ClosesOnlyThatConnection()
    {
        using var raw = await RawConnectAsync();
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        var sent = 0;
        try
        {
            await raw.SendAsync(Encoding.ASCII.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":[\""));
            while (sent < 10 * 1024 * 1024)
            {
                sent += await raw.SendAsync(chunk);
            }
        }
        catch (SocketException)
        {
            // The daemon closed the connection while we were still sending: that is the expected outcome.
        }

        Assert.True(sent < 10 * 1024 * 1024 || await ReadsToEndAsync(raw, TimeSpan.FromSeconds(10)), "a 10 MB message is not accepted");
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task SubscriberThatNeverReads_IsDroppedAndOthersCarryOn()
    {
        // Subscribe on a raw connection, then never read: events pile up until the daemon gives up on it.
        using var raw = await RawConnectAsync();
        raw.ReceiveBufferSize = 4096;
        await raw.SendAsync(Encoding.UTF8.GetBytes(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":[1,\"lazy\"]}\n" +
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"subscribe\",\"params\":[]}\n"));
        await using var busy = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var started = DateTime.UtcNow;
        for (var i = 0; i < 4000 && _daemon.Process.Output.Contains("does not read its events", StringComparison.Ordinal) is false; i++)
        {
            await busy.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetCamera, i % 2 == 0);
        }

        Assert.Contains("does not read its events", _daemon.Process.Output, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(50));
        await busy.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetCamera, true);
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task ManyClientsAtOnce_AllGetAnswers()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => TestControlClient.ConnectAsync(_daemon.Process.SocketPath)));
        try
        {
            var statuses = await Task.WhenAll(clients.Select(c => c.StatusAsync()));
            Assert.All(statuses, s => Assert.Equal(DaemonRole.Participant, s.Role));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Subscribe_MuteFromAnotherClient_ArrivesAsEvent()
    {
        await using var watcher = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        await watcher.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Subscribe);
        await using var actor = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        await actor.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetMuted, true);
        await actor.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetMuted, false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        ControlEvent e;
        do
        {
            e = await watcher.Events.Reader.ReadAsync(timeout.Token);
        }
        while (!(e.Kind == ControlEventKind.ParticipantChanged && e.Participant is { IsSelf: true, Muted: true }));
    }

    [Fact(Timeout = 30_000)]
    public async Task PeerCredentials_OfAFreshClientProcessAsAnotherUser_AreLogged()
    {
        // A daemon of its own whose socket this test opens to everyone, and s2c-attach run as user nobody (65534):
        // the uid and pid in the log can only come from the kernel's SO_PEERCRED for that process.
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "creds", ["--listen", "127.0.0.1:0"]);
        await daemon.WaitReadyAsync();
        File.SetUnixFileMode(daemon.SocketPath, (UnixFileMode)0x1B6);
        File.SetUnixFileMode(root.Path, (UnixFileMode)0x1ED);
        File.SetUnixFileMode(daemon.Directory, (UnixFileMode)0x1ED);
        var info = new System.Diagnostics.ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--reuid", "65534", "--regid", "65534", "--clear-groups", DaemonProcess.AttachProgram.Program }.Concat(DaemonProcess.AttachProgram.Arguments).Concat(["--socket", daemon.SocketPath, "status"]))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = root.Path;
        info.Environment["DOTNET_CLI_HOME"] = root.Path;
        using var attach = System.Diagnostics.Process.Start(info)!;
        var pid = attach.Id;
        var output = await attach.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await attach.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await attach.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(attach.ExitCode == 0, output);
        Assert.NotEqual(Environment.ProcessId, pid);
        await Eventually.TrueAsync(
            () => Task.FromResult(daemon.Output.Contains($"Control client connected: uid 65534, pid {pid}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5),
            "the attach process's uid and pid in the log");
    }

    [Fact(Timeout = 60_000)]
    public async Task AStillView_RewritesItsStatusLineAtMostOnceASecond()
    {
        // Nothing moves (a session of one, our own picture hidden): all a frame can carry after the first is the status line, whose
        // own frames-per-second readout used to change with every frame asked for.
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var id = await client.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 100, Rows = 20, HideSelf = true });
        var version = (await client.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, id, -1L, 2000)).Version;
        var (asked, writes, bytes) = (0, 0, 0L);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(4))
        {
            var frame = await client.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, id, version, 30);
            version = frame.Version;
            asked++;
            if (frame.Data.Length > 0)
            {
                writes++;
                bytes += frame.Data.Length;
            }
        }

        await client.Rpc.InvokeAsync(ControlProtocol.Methods.ViewClose, id);
        _output.WriteLine($"{asked} frames asked in 4 s, {writes} carried anything, {bytes} bytes");
        Assert.True(asked >= 40, $"only {asked} frames asked: the view was not exercised");
        Assert.True(writes <= 5, $"{writes} of {asked} frames rewrote a still view's status line ({bytes} bytes)");
    }

    [Fact(Timeout = 60_000)]
    public async Task ViewSet_ShowsTheKeys_StepsTheFrameRate_AndARateOutsideTheStepsIsRefused()
    {
        // A moving picture (our own test pattern in the preview), asked for as fast as the client can.
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var id = await client.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 100, Rows = 30, Preview = true });
        async Task<(int Frames, string Text)> WatchAsync(TimeSpan span)
        {
            var (frames, text, version) = (0, new System.Text.StringBuilder(), -1L);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < span)
            {
                var frame = await client.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, id, version, 200);
                version = frame.Version;
                frames += frame.Data.Length > 0 ? 1 : 0;
                text.Append(frame.Data);
            }

            return (frames, text.ToString());
        }

        var fast = await WatchAsync(TimeSpan.FromSeconds(2));
        var set = await client.Rpc.InvokeAsync<ViewSettings>(ControlProtocol.Methods.ViewSet, id, new ViewSettings { FrameRate = 5, Help = true });
        Assert.Equal((true, 5), (set.Help, set.FrameRate));
        var slow = await WatchAsync(TimeSpan.FromSeconds(3));
        _output.WriteLine($"frames in 2 s at 30 fps: {fast.Frames}; in 3 s at 5 fps: {slow.Frames}");
        Assert.True(fast.Frames >= 20, $"only {fast.Frames} frames in 2 s at 30 fps: the picture did not move");
        Assert.InRange(slow.Frames, 5, 18);
        Assert.Contains("/5 fps", slow.Text, StringComparison.Ordinal);
        Assert.Contains("show or hide these keys", slow.Text, StringComparison.Ordinal);

        // A rate between the steps changes nothing and says what is allowed; the view goes on at 5 fps.
        var refused = await Assert.ThrowsAsync<StreamJsonRpc.RemoteInvocationException>(
            () => client.Rpc.InvokeAsync<ViewSettings>(ControlProtocol.Methods.ViewSet, id, new ViewSettings { FrameRate = 7 }));
        Assert.Equal(ControlProtocol.ErrorCodes.InvalidArgument, refused.ErrorCode);
        Assert.Contains("5, 10, 15, 20 or 30", refused.Message, StringComparison.Ordinal);
        var unchanged = await client.Rpc.InvokeAsync<ViewSettings>(ControlProtocol.Methods.ViewSet, id, new ViewSettings());
        Assert.Equal((true, 5), (unchanged.Help, unchanged.FrameRate));
        await client.Rpc.InvokeAsync(ControlProtocol.Methods.ViewClose, id);
        await _daemon.AssertBystanderUnharmedAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task ViewClose_EndsThatViewOnly_AndFreesItsPlace()
    {
        await using var client = await TestControlClient.ConnectAsync(_daemon.Process.SocketPath);
        var request = new ViewRequest { Columns = 60, Rows = 20, Preview = true };
        var ids = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await client.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, request));
        }

        var full = await Assert.ThrowsAsync<StreamJsonRpc.RemoteInvocationException>(() => client.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, request));
        Assert.Contains("at most 4 views", full.Message, StringComparison.Ordinal);

        await client.Rpc.InvokeAsync(ControlProtocol.Methods.ViewClose, ids[1]);
        var closed = await Assert.ThrowsAsync<StreamJsonRpc.RemoteInvocationException>(
            () => client.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, ids[1], 0L, 100));
        Assert.Contains($"no view {ids[1]}", closed.Message, StringComparison.Ordinal);

        // The other views go on, and the freed place can be taken again.
        var frame = await client.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, ids[0], 0L, 2000);
        Assert.True(frame.Version > 0 && frame.Data.Length > 100, "a frame of the view still open");
        ids.Add(await client.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, request));
        foreach (var id in ids.Where(id => id != ids[1]))
        {
            await client.Rpc.InvokeAsync(ControlProtocol.Methods.ViewClose, id);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Connect_PastMaxClients_IsTurnedAwayWithAHint_WhileTheOthersCarryOn()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "limit", ["--listen", "127.0.0.1:0", "--Control:MaxClients", "2"]);
        await daemon.WaitReadyAsync();
        await using var first = await TestControlClient.ConnectAsync(daemon.SocketPath);

        // The readiness probe's connection may hold its place a moment after it closed: the second gets in once it is freed.
        TestControlClient? second = null;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    second = await TestControlClient.ConnectAsync(daemon.SocketPath);
                    return true;
                }
                catch (StreamJsonRpc.ConnectionLostException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(10),
            "a second client gets in");
        var (code, _, stderr) = await AttachRunner.RunAsync(daemon.SocketPath, "status");
        Assert.Equal(3, code);
        Assert.Contains("closed the connection at once; its log says why", stderr, StringComparison.Ordinal);
        Assert.Contains("Turned a control client away: 2 are connected already", daemon.Output, StringComparison.Ordinal);
        Assert.Equal(DaemonRole.Participant, (await first.StatusAsync()).Role);
        Assert.NotNull(await second!.StatusAsync());

        // A place freed is taken by the next client.
        await second.DisposeAsync();
        await Eventually.TrueAsync(async () => (await AttachRunner.RunAsync(daemon.SocketPath, "status")).ExitCode == 0, TimeSpan.FromSeconds(10), "a client gets in again");
    }

    private async Task<Socket> RawConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_daemon.Process.SocketPath));
        return socket;
    }

    private static async Task<bool> ReadsToEndAsync(Socket socket, TimeSpan within)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One daemon with its embedded relay on a free port, and a bystander client in a session.</summary>
    public sealed class Daemon : IAsyncLifetime
    {
        private readonly TempDirectory _root = new();

        public DaemonProcess Process { get; private set; } = null!;

        public TestControlClient Bystander { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Process = DaemonProcess.Start(_root, "d", ["--name", "bystander", "--listen", "127.0.0.1:0"]);
            await Process.WaitReadyAsync();
            Bystander = await TestControlClient.ConnectAsync(Process.SocketPath);
            var status = await Bystander.StatusAsync();
            await Bystander.JoinAsync("calm", relay: status.RelayListen);
        }

        public async Task AssertBystanderUnharmedAsync()
        {
            Assert.False(Process.HasExited, Process.Output);
            var status = await Bystander.StatusAsync();
            Assert.Equal("calm", status.Session);
            Assert.Equal(ConnectionState.Connected, status.Connection);
        }

        public async ValueTask DisposeAsync()
        {
            await Bystander.DisposeAsync();
            await Process.DisposeAsync();
            _root.Dispose();
        }
    }
}
