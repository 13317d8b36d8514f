using S2cd.Contract;
using S2cd.Impair;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>
/// Audio through real alsa-lib (the file plugin on named pipes, paced like a sound card), real daemons
/// and a relay on loopback: what one daemon's microphone hears comes out of the others' speakers.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class AudioEndToEndTests
{
    private const short Silent = 300;

    // At most one playback period (10 ms) may go missing: in two of about ten full suite runs on this shared 2-core
    // machine one period (9 ms) did, never in reruns of these tests alone or beside two busy loops. Anything longer,
    // or a gap that a regression would make, still fails.
    private const int OnePeriodMs = 10;

    [Fact(Timeout = 120_000)]
    public async Task Tone_FromOneDaemon_ComesOutOfAnotherAtItsFrequencyWithoutGaps()
    {
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"]);
        call.Rig("alice").FeedTone(440, 0.3);
        var output = await call.RecordAsync("bob", seconds: 3);
        var frequency = Signal.Frequency(output, AudioRig.Rate);
        Assert.InRange(frequency, 438, 442);
        Assert.True(Signal.LongestSilenceMs(output, AudioRig.Rate, Silent) <= OnePeriodMs, $"silent gap of {Signal.LongestSilenceMs(output, AudioRig.Rate, Silent)} ms");

        var status = await call.Client("bob").StatusAsync();
        Assert.Equal(DeviceCondition.On, status.Speaker.Condition);
        Assert.NotNull(status.AudioDelayMs);

        // Not a benchmark (s2cd-bench audio measures it): a loose bound that catches a change which doubles the delay.
        Assert.True(status.AudioDelayP95Ms < 200, $"mouth-to-ear p95 {status.AudioDelayP95Ms:0} ms");

        // Heard, and not marked as speaking: voice activity learns a steady tone as noise within a second.
        var alice = (await call.Client("bob").WhoAsync()).Single(p => p.Name == "alice");
        Assert.NotNull(alice.AudioLevel);
        Assert.False(alice.Speaking, "a steady tone is not speech");
    }

    [Fact(Timeout = 120_000)]
    public async Task TwoSenders_OnDifferentFrequencies_AreBothInAThirdsOutput()
    {
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob", "carol"]);
        call.Rig("alice").FeedTone(440, 0.25);
        call.Rig("carol").FeedTone(1000, 0.25);
        var output = await call.RecordAsync("bob", seconds: 2);
        var at440 = Signal.Power(output, 440, AudioRig.Rate);
        var at1000 = Signal.Power(output, 1000, AudioRig.Rate);
        var at700 = Signal.Power(output, 700, AudioRig.Rate);
        Assert.True(at440 > 100 * at700, $"440 Hz {at440:g3} vs 700 Hz {at700:g3}");
        Assert.True(at1000 > 100 * at700, $"1000 Hz {at1000:g3} vs 700 Hz {at700:g3}");
        Assert.True(Signal.LongestSilenceMs(output, AudioRig.Rate, Silent) <= OnePeriodMs);
    }

    [Fact(Timeout = 120_000)]
    public async Task Mute_SilencesTheOthersOutputWithin100Ms()
    {
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"]);
        var bob = call.Rig("bob");
        call.Rig("alice").FeedTone(440, 0.3);
        await call.RecordAsync("bob", seconds: 1);
        var mutedAt = bob.Now;
        await call.Client("alice").Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetMuted, true);
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var output = bob.Output();
        var from = (int)((mutedAt - bob.OutputStart) * AudioRig.Rate);
        var lastSound = -1;
        for (var i = Math.Max(0, from); i < output.Length; i++)
        {
            if (Math.Abs((int)output[i]) > Silent)
            {
                lastSound = i;
            }
        }

        var silentAfterMs = lastSound < 0 ? 0 : ((lastSound - from) * 1000.0 / AudioRig.Rate);
        Assert.True(silentAfterMs < 100, $"sound went on {silentAfterMs:0} ms after mute");
        Assert.True(Signal.Rms(output.AsSpan(output.Length - (AudioRig.Rate / 2))) < Silent, "silence stays after mute");
        Assert.True((await call.Client("bob").WhoAsync()).Single(p => p.Name == "alice").Muted);
    }

    [Fact(Timeout = 120_000)]
    public async Task TenPercentOfAudioLostAtTheRelay_LeavesNoSilentGapOver60Ms()
    {
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"], "--Relay:TestDropAudioFraction", "0.1");
        call.Rig("alice").FeedTone(440, 0.3);
        var output = await call.RecordAsync("bob", seconds: 4);
        var gap = Signal.LongestSilenceMs(output, AudioRig.Rate, Silent);
        Assert.True(gap <= 60, $"silent gap of {gap} ms");
        Assert.InRange(Signal.Frequency(output, AudioRig.Rate), 436, 444);
        var status = await call.Client("bob").StatusAsync();
        Assert.InRange(status.AudioLossPercent, 5, 15);
    }

    [Fact(Timeout = 120_000)]
    public async Task OverUdpWithFivePercentLossAnd40PlusMinus10MsJitter_ATone_HasNoSilentGapOver60Ms()
    {
        // On a loaded 2-core CI machine one call in several has shown a gap of 62-84 ms (also with 20 ms frames, before
        // they were short): a call that misses is made again, once, and said; a buffer that cannot bridge the loss misses twice.
        try
        {
            await FivePercentLossCallAsync();
        }
        catch (Xunit.Sdk.XunitException first)
        {
            TestContext.Current.SendDiagnosticMessage($"first call missed, made again: {first.Message}");
            await FivePercentLossCallAsync();
        }
    }

    private static async Task FivePercentLossCallAsync()
    {
        using var root = new TempDirectory();
        var impairment = new UdpImpairment { Loss = 0.05, Delay = TimeSpan.FromMilliseconds(40), Jitter = TimeSpan.FromMilliseconds(10) };
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"], ("bob", impairment));
        await Eventually.TrueAsync(async () => (await call.Client("bob").StatusAsync()).MediaPath?.Kind == MediaPathKind.Udp, TimeSpan.FromSeconds(10), "bob on UDP");
        call.Rig("alice").FeedTone(440, 0.3);
        var output = await call.RecordAsync("bob", seconds: 5);
        var gap = Signal.LongestSilenceMs(output, AudioRig.Rate, Silent);
        var status = await call.Client("bob").StatusAsync();
        Assert.True(gap <= 60, $"silent gap of {gap} ms; bob: jitter buffer {status.JitterBufferMs} ms, loss {status.AudioLossPercent}%, recovered {status.AudioRecovered}, concealed {status.AudioConcealed}, underruns {status.AudioUnderruns}, rejected {status.AudioRejected}, path {status.MediaPath}");
        Assert.InRange(Signal.Frequency(output, AudioRig.Rate), 436, 444);
        Assert.True(call.Impairer!.UdpDropped > 10, $"the impairer dropped {call.Impairer.UdpDropped} datagrams");

        // What the link lost, and no more: bob's path loses nothing of its own.
        Assert.InRange(status.AudioLossPercent, 2, 12);
        Assert.Equal(MediaPathKind.Udp, (await call.Client("bob").StatusAsync()).MediaPath?.Kind);
    }
}
