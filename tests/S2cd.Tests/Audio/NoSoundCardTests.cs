using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>No sound card: the daemon runs, says so in status, retries, and video keeps working.</summary>
public sealed class NoSoundCardTests
{
    [Fact(Timeout = 90_000)]
    public async Task MissingAudioDevices_AreReportedAndVideoStillFlows()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        string[] noCard = ["--Audio:CaptureDevice", "hw:7,0", "--Audio:PlaybackDevice", "hw:7,0", "--Audio:RetrySeconds", "1"];
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", noCard);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", noCard);
        await using var a = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var b = await TestControlClient.ConnectAsync(bob.SocketPath);
        await a.JoinAsync("quiet");
        await b.JoinAsync("quiet");
        await Eventually.TrueAsync(
            async () => (await b.StatusAsync()) is { Microphone: { Condition: DeviceCondition.Unavailable, Detail: { } m }, Speaker.Condition: DeviceCondition.Unavailable } && m.StartsWith("snd_pcm_open(hw:7,0)", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "audio reported unavailable");
        await Eventually.TrueAsync(async () => (await b.WhoAsync()).Any(p => p.Name == "alice" && p.VideoFps > 5), TimeSpan.FromSeconds(15), "video flows without audio");
        var (code, stdout, _) = await AttachRunner.RunAsync(bob.SocketPath, "status");
        Assert.Equal(0, code);
        Assert.Contains("unavailable", stdout, StringComparison.Ordinal);
        Assert.Contains("retrying", stdout, StringComparison.Ordinal);
        Assert.False(bob.HasExited);
    }
}
