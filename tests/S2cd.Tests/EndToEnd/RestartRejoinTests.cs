using System.Diagnostics;
using S2cd.Contract;
using S2cd.Tests.Support;


namespace S2cd.Tests.EndToEnd;

/// <summary>
/// A call survives a restart of the daemon: killed (a crash, the watchdog), stopped and started again (a
/// restart, a package upgrade), with real daemons, a real relay and the real state directory.
/// </summary>
public sealed class RestartRejoinTests(ITestOutputHelper output)
{
    private const string Passphrase = "correct horse battery staple";
    private static readonly string[] Fast = ["--Conference:ReconnectMaxSeconds", "1", "--Audio:Enabled", "false"];

    [Fact(Timeout = 120_000)]
    public async Task KilledMidCall_StartsAgain_IsBackWithTheSameIdentityMuteAndCamera_AndNewKeys()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var address = $"127.0.0.1:{port}";
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", address, Fast);
        var bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, Fast);
        try
        {
            await using var aliceWatch = await TestControlClient.ConnectAsync(alice.SocketPath);
            await aliceWatch.JoinAsync("standup", passphrase: Passphrase);
            await using (var bobControl = await TestControlClient.ConnectAsync(bob.SocketPath))
            {
                await bobControl.JoinAsync("standup", passphrase: Passphrase);
            }

            Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "mute")).ExitCode);
            Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "camera", "off")).ExitCode);
            var before = await WaitForBobAsync(aliceWatch, p => p.Muted && !p.CameraOn && p.Trust == Trust.Verified && p.KeyId is not null, "bob verified with his key, muted, camera off");
            var aliceKeyBefore = (await aliceWatch.WhoAsync()).Single(p => p.IsSelf).KeyId;
            Assert.NotNull(aliceKeyBefore);
            var memory = Path.Combine(bob.Directory, "state", "session.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(memory));
            Assert.DoesNotContain(Passphrase, await File.ReadAllTextAsync(memory, TestContext.Current.CancellationToken), StringComparison.Ordinal);

            bob.Kill();
            await bob.DisposeAsync();
            var started = Stopwatch.StartNew();
            bob = DaemonProcess.Start(root, "bob", ["--name", "bob", "--relay", address, "--Relay:Embedded", "false", .. Fast]);

            // Back as a new member (the relay gave it a new id) with the same certificate, so nobody is asked to
            // trust it again, the same mute and camera, and verified under the same passphrase.
            // The benchmark page gives 0.51–0.75 s from the new process's start to the others listing it: five times that.
            var after = await WaitForBobAsync(
                aliceWatch,
                p => p.Id != before.Id && p.Muted && !p.CameraOn && p.Trust == Trust.Verified,
                "bob back, verified, muted, camera off (5 × the benchmark page's 0.75 s)",
                TimeSpan.FromSeconds(3.75));
            output.WriteLine($"bob listed again {started.Elapsed.TotalSeconds:0.00} s after his process started");
            Assert.Equal(before.Fingerprint, after.Fingerprint);
            Assert.NotEqual(Trust.Refused, after.Trust);

            await using var bobAgain = await TestControlClient.ConnectAsync(bob.SocketPath);
            var status = await bobAgain.StatusAsync();
            Assert.Equal("standup", status.Session);
            Assert.True(status.Muted);
            Assert.False(status.CameraOn);
            Assert.True(status.Passphrase);
            Assert.NotNull(status.RejoinedAfterSeconds);
            Assert.Contains("rejoined after the daemon restarted", (await AttachRunner.RunAsync(bob.SocketPath, "status")).Stdout, StringComparison.Ordinal);
            Assert.Contains("Rejoining session standup", bob.Output, StringComparison.Ordinal);

            // New keys: alice replaced hers when bob's old member went (its id counts up at every rekey), and the new bob
            // holds alice's new key, not the old one; alice holds a key of the new bob's.
            uint? aliceKeyAfter = null;
            await Eventually.TrueAsync(
                async () => (aliceKeyAfter = (await aliceWatch.WhoAsync()).Single(p => p.IsSelf).KeyId) > aliceKeyBefore,
                TimeSpan.FromSeconds(10),
                $"alice sends under a key after {aliceKeyBefore}");
            await Eventually.TrueAsync(
                async () => (await bobAgain.WhoAsync()).SingleOrDefault(p => p.Name == "alice")?.KeyId >= aliceKeyAfter,
                TimeSpan.FromSeconds(10),
                "bob holds alice's new key");
            Assert.NotNull((await aliceWatch.WhoAsync()).Single(p => p.Id == after.Id).KeyId);

            // The call code, which covers every member's certificate, agrees on both sides.
            await Eventually.TrueAsync(
                async () => (await aliceWatch.StatusAsync()).CallCode is { } code && code == (await bobAgain.StatusAsync()).CallCode,
                TimeSpan.FromSeconds(15),
                "the same call code on both sides");
        }
        finally
        {
            await bob.DisposeAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task StoppedWithSigterm_LeavesAtOnce_AndAStartWithinTheWindowRejoins_ButNotAfterIt()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var address = $"127.0.0.1:{port}";
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", address, Fast);
        await using var aliceWatch = await TestControlClient.ConnectAsync(alice.SocketPath);
        await aliceWatch.JoinAsync("standup");

        await using (var bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, Fast))
        {
            Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "join", "standup", "--detach")).ExitCode);
            await WaitForBobAsync(aliceWatch, _ => true, "bob in the call");

            // SIGTERM (systemctl stop, the first half of an upgrade): bob leaves, so alice sees him go.
            bob.Signal(15);
            Assert.True(await bob.WaitForExitAsync(TimeSpan.FromSeconds(15)));
            Assert.Equal(0, bob.ExitCode);
            await Eventually.TrueAsync(async () => (await aliceWatch.WhoAsync()).All(p => p.Name != "bob"), TimeSpan.FromSeconds(10), "bob gone");
            Assert.Matches(@"bob \(#\d+\) left session standup: left the session", relay.Output);
        }

        // Started again within the window: back in the call.
        await using (var bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, Fast))
        {
            await WaitForBobAsync(aliceWatch, _ => true, "bob back after a restart");
            await using var bobControl = await TestControlClient.ConnectAsync(bob.SocketPath);
            await Eventually.TrueAsync(async () => (await bobControl.StatusAsync()).RejoinedAfterSeconds is not null, TimeSpan.FromSeconds(10), "bob says he rejoined");
            bob.Signal(15);
            Assert.True(await bob.WaitForExitAsync(TimeSpan.FromSeconds(15)));
            Assert.True(bob.ExitCode == 0, bob.Output);
            Assert.DoesNotContain("Exception", bob.Output, StringComparison.Ordinal);
        }

        // Started again after the window (one second here): the memory is dropped, with one line saying so.
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        await using (var bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, [.. Fast, "--Conference:RejoinWindow", "00:00:01"]))
        {
            await Eventually.TrueAsync(() => Task.FromResult(bob.Output.Contains("Not rejoining session standup", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the memory dropped");
            await using var bobControl = await TestControlClient.ConnectAsync(bob.SocketPath);
            Assert.Null((await bobControl.StatusAsync()).Session);
            Assert.False(File.Exists(Path.Combine(bob.Directory, "state", "session.json")));
            Assert.All(await aliceWatch.WhoAsync(), p => Assert.NotEqual("bob", p.Name));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task LeftBeforeTheRestart_DoesNotRejoin()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var address = $"127.0.0.1:{port}";
        var memory = Path.Combine(root.Sub("bob"), "state", "session.json");
        await using (var bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, Fast))
        {
            Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "join", "standup", "--detach")).ExitCode);
            Assert.True(File.Exists(memory));
            Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "leave")).ExitCode);
            Assert.False(File.Exists(memory));
            bob.Kill();
        }

        await using (var bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, Fast))
        {
            await using var control = await TestControlClient.ConnectAsync(bob.SocketPath);
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.Null((await control.StatusAsync()).Session);
            Assert.DoesNotContain("Rejoin", bob.Output, StringComparison.Ordinal);
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("{ \"Session\": ")]
    [InlineData("{ \"Session\": \"bad name!\", \"Relay\": \"127.0.0.1:1\", \"Name\": \"bob\", \"InCallUnixMs\": 1 }")]
    [InlineData("\u0000\u0001 binary")]
    public async Task ACorruptMemory_IsIgnoredWithOneLogLine(string content)
    {
        using var root = new TempDirectory();
        var state = Path.Combine(root.Sub("bob"), "state");
        Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, "session.json"), content, TestContext.Current.CancellationToken);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", "127.0.0.1:9", Fast);
        await Eventually.TrueAsync(() => Task.FromResult(bob.Output.Contains("Ignored the remembered call", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the log line");
        await using var control = await TestControlClient.ConnectAsync(bob.SocketPath);
        Assert.Null((await control.StatusAsync()).Session);
        Assert.Single(bob.Output.Split('\n'), line => line.Contains("remembered call", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(state, "session.json")));
    }

    [Fact(Timeout = 120_000)]
    public async Task AnOpenView_SaysTheDaemonIsRestarting_AndCarriesOnWithTheNewOne()
    {
        Assert.True(Tmux.Available, "tmux is needed (packaging/packages.sh ensure test)");
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var address = $"127.0.0.1:{port}";
        var bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, Fast);
        try
        {
            Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "join", "standup", "--detach")).ExitCode);
            using var tmux = new Tmux();
            tmux.Start(120, 30, $"sh -c '{DaemonProcess.AttachCommand} --socket {bob.SocketPath} --mode ascii; echo exit $?; sleep 60'");
            await tmux.WaitForAsync(s => s.Contains("bob (you)", StringComparison.Ordinal) && s.Contains("standup", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a live view");

            bob.Kill();
            await bob.DisposeAsync();
            await tmux.WaitForAsync(s => s.Contains("daemon restarting", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the restart notice");
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            bob = await DaemonProcess.StartParticipantAsync(root, "bob", address, Fast);

            await tmux.WaitForAsync(
                s => s.Contains("bob (you)", StringComparison.Ordinal) && s.Contains("standup", StringComparison.Ordinal) && !s.Contains("daemon restarting", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30),
                "the view of the restarted daemon");

            // The keys reach the new daemon.
            tmux.SendKeys("m");
            await tmux.WaitForAsync(s => s.Contains("[muted]", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "muted through the view");
            Assert.DoesNotContain("exit ", tmux.Capture(), StringComparison.Ordinal);
        }
        finally
        {
            await bob.DisposeAsync();
        }
    }

    private static async Task<ParticipantInfo> WaitForBobAsync(TestControlClient watcher, Func<ParticipantInfo, bool> condition, string what, TimeSpan? within = null)
    {
        ParticipantInfo? found = null;
        await Eventually.TrueAsync(
            async () =>
            {
                found = (await watcher.WhoAsync()).FirstOrDefault(p => p.Name == "bob" && condition(p));
                return found is not null;
            },
            within ?? TimeSpan.FromSeconds(20),
            what);
        return found!;
    }
}
