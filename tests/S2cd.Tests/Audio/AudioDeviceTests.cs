using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>Sound devices that come and go around a running daemon, and a loose bound on the audio delay.</summary>
[Collection(RealtimeCollection.Name)]
public sealed class AudioDeviceTests
{
    [Fact(Timeout = 120_000)]
    public async Task AMicrophoneThatAppearsAfterTheJoin_IsPickedUpByTheRetry_AndHeard()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        using var aliceRig = new AudioRig(root.Sub("alice"), microphoneNow: false);
        using var bobRig = new AudioRig(root.Sub("bob"));
        string[] fast = ["--Audio:RetrySeconds", "1", "--Video:Fps", "5", .. AudioCall.Member.ToneArguments];
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", fast);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", fast);
        await using var a = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var b = await TestControlClient.ConnectAsync(bob.SocketPath);
        await a.JoinAsync("plug");
        await b.JoinAsync("plug");
        await Eventually.TrueAsync(
            async () => (await a.StatusAsync()).Microphone is { Condition: DeviceCondition.Unavailable, Detail: { } d } && d.StartsWith("snd_pcm_open(default)", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15),
            "alice's missing microphone reported");
        Assert.Equal(DeviceCondition.On, (await a.StatusAsync()).Speaker.Condition);

        aliceRig.FeedTone(440, 0.3);
        aliceRig.ConnectMicrophone();
        await Eventually.TrueAsync(async () => (await a.StatusAsync()).Microphone == DeviceStatus.On("default"), TimeSpan.FromSeconds(10), "the retry opens the new microphone");
        Assert.Empty((await a.StatusAsync()).Problems);
        // Two seconds, as a loaded machine may stretch a stutter at the start over much of one (435.6 Hz was seen).
        var output = await bobRig.RecordAsync(2);
        Assert.InRange(Signal.Frequency(output, AudioRig.Rate), 436, 444);
    }
}
