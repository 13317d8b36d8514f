using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Platform;

/// <summary>
/// A daemon on a machine where one native library is missing: each is hidden in turn from a real daemon (a mount
/// namespace with /dev/null over the library, as on a machine without the package). The daemon stays up, joins,
/// says in one line what to install, and the others still see or hear what it can still send and receive.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class MissingLibraryTests
{
    private const string Dash = " \u2014 ";

    [Fact(Timeout = 150_000)]
    public async Task WithoutGtk_OpenCvDoesNotLoad_TheDaemonStaysUpSaysWhatToInstall_AndAudioGoesOnBothWays()
    {
        using var root = new TempDirectory();
        await using var call = await MixedCall.StartAsync(root, hidden: ["libgtk-3.so.0"]);
        var alice = call.Alice;
        var hint = "OpenCV needs libgtk-3.so.0" + Dash + "sudo apt install libgtk-3-0";
        await Eventually.TrueAsync(async () => (await alice.Client.StatusAsync()).Problems.Contains(new Problem(ProblemKind.CameraUnavailable, hint)), TimeSpan.FromSeconds(20), "alice's camera problem named with its package");
        await Eventually.TrueAsync(async () => (await alice.Client.StatusAsync()).Problems.Contains(new Problem(ProblemKind.PicturesNotShown, hint)), TimeSpan.FromSeconds(20), "alice cannot show bob's pictures, and says why");

        alice.Rig.FeedTone(440, 0.3);
        call.Bob.Rig.FeedTone(1000, 0.3);
        AssertTone(await call.Bob.Rig.RecordAsync(1), 440);
        AssertTone(await alice.Rig.RecordAsync(1), 1000);
        Assert.False(alice.Daemon.HasExited, alice.Daemon.Output);
        Assert.Contains(await call.Bob.Client.WhoAsync(), p => p.Name == "alice");
        Assert.DoesNotContain("Unable to load shared library", (await alice.Client.StatusAsync()).Camera.Detail ?? string.Empty, StringComparison.Ordinal);

        // The call view says it too, on its status line.
        using var tmux = new Tmux();
        tmux.Start(220, 30, $"{DaemonProcess.AttachCommand} --socket {alice.Daemon.SocketPath} --mode ascii");
        await tmux.WaitForAsync(s => s.Contains("q detach", StringComparison.Ordinal) && s.Contains("camera unavailable: OpenCV needs libgtk-3.so.0", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the view names the missing library");
    }

    [Fact(Timeout = 150_000)]
    public async Task WithoutOpus_TheMicrophoneAndOthersSoundSayWhatToInstall_AndVideoGoesOnBothWays()
    {
        using var root = new TempDirectory();
        await using var call = await MixedCall.StartAsync(root, hidden: ["libopus.so.0"]);
        var alice = call.Alice;
        call.Bob.Rig.FeedTone(1000, 0.3);
        var hint = "Opus needs libopus.so.0" + Dash + "sudo apt install libopus0";
        await Eventually.TrueAsync(
            async () => (await alice.Client.StatusAsync()).Problems is var p && p.Contains(new Problem(ProblemKind.MicrophoneUnavailable, hint)) && p.Contains(new Problem(ProblemKind.SoundNotPlayed, hint)),
            TimeSpan.FromSeconds(20),
            "alice's microphone and bob's sound both name libopus0");

        await VideoFlowsAsync(call.Bob.Client, "alice");
        await VideoFlowsAsync(alice.Client, "bob");
        Assert.False(alice.Daemon.HasExited, alice.Daemon.Output);
        Assert.True((await alice.Client.StatusAsync()).Microphone.Detail?.Length < 200, "one line, not the loader's search list");
    }

    [Fact(Timeout = 150_000)]
    public async Task WithoutSpeexdsp_TheCallGoesOnUnprocessed_AndStatusSaysWhatToInstall()
    {
        using var root = new TempDirectory();
        await using var call = await MixedCall.StartAsync(root, hidden: ["libspeexdsp.so.1"]);
        var alice = call.Alice;
        alice.Rig.FeedTone(440, 0.3);
        var hint = "speexdsp needs libspeexdsp.so.1" + Dash + "sudo apt install libspeexdsp1";
        await Eventually.TrueAsync(
            async () => (await alice.Client.StatusAsync()).Problems.Contains(new Problem(ProblemKind.AudioProcessing, "echo cancellation and noise suppression off: " + hint)),
            TimeSpan.FromSeconds(20),
            "alice's status names libspeexdsp1");
        var status = await alice.Client.StatusAsync();
        Assert.False(status.EchoCancel);
        Assert.Equal(DeviceCondition.On, status.Microphone.Condition);
        Assert.Contains("unavailable: " + hint, status.AudioProcessing, StringComparison.Ordinal);

        // Alice is still heard, at her frequency.
        AssertTone(await call.Bob.Rig.RecordAsync(2), 440);
        Assert.False(alice.Daemon.HasExited, alice.Daemon.Output);
    }

    [Fact(Timeout = 150_000)]
    public async Task WithoutAlsa_MicrophoneAndSpeakerSayWhatToInstall_AndVideoGoesOnBothWays()
    {
        using var root = new TempDirectory();
        await using var call = await MixedCall.StartAsync(root, hidden: ["libasound.so.2"]);
        var alice = call.Alice;
        var hint = "ALSA needs libasound.so.2" + Dash + "sudo apt install libasound2";
        await Eventually.TrueAsync(
            async () => (await alice.Client.StatusAsync()).Problems is var p && p.Contains(new Problem(ProblemKind.MicrophoneUnavailable, hint)) && p.Contains(new Problem(ProblemKind.SpeakerUnavailable, hint)),
            TimeSpan.FromSeconds(20),
            "alice's microphone and speaker name libasound2");

        await VideoFlowsAsync(call.Bob.Client, "alice");
        await VideoFlowsAsync(alice.Client, "bob");
        Assert.False(alice.Daemon.HasExited, alice.Daemon.Output);
    }

    [Fact(Timeout = 150_000)]
    public async Task Relay_WithNoMediaLibraryInstalled_CarriesACall_AndNeverLoadsOpenCvOrAlsa()
    {
        using var root = new TempDirectory();
        var relay = DaemonProcess.Start(
            root,
            "relay",
            ["--role", "relay", "--listen", "127.0.0.1:0", "--Relay:TimeoutSeconds", "2", "--Relay:HeartbeatSeconds", "0.5", "--Relay:TestLoad", "0"],
            hiddenLibraries: ["libgtk-3.so.0", "libopus.so.0", "libasound.so.2"]);
        await using var _ = relay;
        await relay.WaitReadyAsync();
        string listen;
        await using (var client = await TestControlClient.ConnectAsync(relay.SocketPath))
        {
            listen = (await client.StatusAsync()).RelayListen!;
        }

        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", listen, "--Video:Fps", "5", "--Audio:Enabled", "false");
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", listen, "--Video:Fps", "5", "--Audio:Enabled", "false");
        await using var aliceClient = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var bobClient = await TestControlClient.ConnectAsync(bob.SocketPath);
        await aliceClient.JoinAsync("through");
        await bobClient.JoinAsync("through");
        await VideoFlowsAsync(bobClient, "alice");

        var maps = await File.ReadAllTextAsync($"/proc/{relay.Pid}/maps", TestContext.Current.CancellationToken);
        foreach (var library in new[] { "OpenCvSharpExtern", "libasound", "libopus", "libspeexdsp", "libgtk" })
        {
            Assert.DoesNotContain(library, maps, StringComparison.Ordinal);
        }

        Assert.False(relay.HasExited, relay.Output);
    }

    /// <summary>The tone is what is heard: far more power at its frequency than beside it.</summary>
    private static void AssertTone(short[] output, double frequency)
    {
        var at = Signal.Power(output, frequency, AudioRig.Rate);
        var beside = Signal.Power(output, frequency * 0.7, AudioRig.Rate);
        Assert.True(at > 100 * beside, $"{frequency} Hz: {at:g3}, at {frequency * 0.7} Hz: {beside:g3}");
    }

    private static Task VideoFlowsAsync(TestControlClient viewer, string member) =>
        Eventually.TrueAsync(async () => (await viewer.WhoAsync()).Any(p => p.Name == member && p.VideoFps > 0), TimeSpan.FromSeconds(30), $"pictures from {member}");

    /// <summary>A relay, alice (with libraries hidden) and bob, each with a sound card made of ALSA's file plugin.</summary>
    private sealed class MixedCall : IAsyncDisposable
    {
        private readonly DaemonProcess _relay;

        private MixedCall(DaemonProcess relay, Member alice, Member bob)
        {
            _relay = relay;
            Alice = alice;
            Bob = bob;
        }

        public Member Alice { get; }

        public Member Bob { get; }

        public static async Task<MixedCall> StartAsync(TempDirectory root, string[] hidden)
        {
            var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
            var alice = await StartMemberAsync(root, "alice", port, hidden);
            var bob = await StartMemberAsync(root, "bob", port, []);
            var call = new MixedCall(relay, alice, bob);
            try
            {
                await alice.Client.JoinAsync("mixed");
                await bob.Client.JoinAsync("mixed");
                await Eventually.TrueAsync(async () => (await alice.Client.WhoAsync()).Length == 2, TimeSpan.FromSeconds(20), "alice lists bob");
                return call;
            }
            catch
            {
                await call.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var member in new[] { Alice, Bob })
            {
                await member.Client.DisposeAsync();
                await member.Daemon.DisposeAsync();
                member.Rig.Dispose();
            }

            await _relay.DisposeAsync();
        }

        private static async Task<Member> StartMemberAsync(TempDirectory root, string name, int port, string[] hidden)
        {
            var rig = new AudioRig(root.Sub(name));
            var daemon = DaemonProcess.Start(
                root,
                name,
                ["--name", name, "--relay", $"127.0.0.1:{port}", "--Relay:Embedded", "false", "--Video:Fps", "5", "--Video:RetrySeconds", "1", "--Audio:RetrySeconds", "1", .. AudioCall.Member.ToneArguments],
                hiddenLibraries: hidden);
            await daemon.WaitReadyAsync();
            return new Member(daemon, rig, await TestControlClient.ConnectAsync(daemon.SocketPath));
        }
    }

    private sealed record Member(DaemonProcess Daemon, AudioRig Rig, TestControlClient Client);
}
