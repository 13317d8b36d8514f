using S2cd.Contract;
using S2cd.Tests.Support;
using StreamJsonRpc;


namespace S2cd.Tests.Audio;

/// <summary>
/// The microphone's processing in real daemons on the file-plugin rig: echo cancellation against a speaker that
/// plays into the microphone, noise suppression, automatic gain and voice activity on espeak-ng's speech, and the
/// per-participant volume. Each figure is compared with the same call with the stage off, so the test measures the
/// stage and not the codec or the machine.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class AudioProcessingTests(ITestOutputHelper output)
{
    private const int Rate = AudioRig.Rate;
    private static readonly TimeSpan EchoDelay = TimeSpan.FromMilliseconds(50);

    [Fact(Timeout = 300_000)]
    public async Task EchoCancellation_OnSpeech_FindsTheEchoDelay_TakesTheEchoDown30Db_AndSendsNothingOnEchoAlone()
    {
        // alice talks (espeak-ng); bob's speaker plays her into bob's microphone 50 ms later at -6 dB, and then 300 ms
        // more (a Bluetooth speaker): bob, silent, must send alice nothing of her own voice. The rig's own capture lead
        // (100 ms the file plugin cannot report) comes on top of both.
        var estimates = new List<int>();
        foreach (var extraMs in new[] { 0, 300 })
        {
            var off = await SpeechEchoCallAsync(extraMs, echoCancel: false);

            // A call in which the test process stalled past the rig's capture lead moved the room under the canceller,
            // and on a loaded 2-core CI machine a call has missed without a stall the rig could see (2.9 and 5.3 dB, the
            // estimate right): such a call is made again, once, and said. A canceller that does not work misses twice.
            var on = await SpeechEchoCallAsync(extraMs, echoCancel: true);
            var first = Db(off.Power / Math.Max(on.Power, 1e-3));
            if (on.RigStalled is not null || first < 30 || on.BytesSent > 15 * 6)
            {
                output.WriteLine($"echo {50 + extraMs} ms, first call: {first:0.0} dB less, {on.BytesSent} bytes sent, the rig's clock {on.RigStalled?.TotalMilliseconds ?? 0:0} ms behind at worst; the call is made again");
                on = await SpeechEchoCallAsync(extraMs, echoCancel: true);
                Assert.True(on.RigStalled is null, $"the rig's clock fell {on.RigStalled?.TotalMilliseconds:0} ms behind twice: the machine is too busy to measure this");
            }

            var erle = Db(off.Power / Math.Max(on.Power, 1e-3));
            output.WriteLine($"echo {50 + extraMs} ms: alice hears her voice back at {Db(off.Power / (32768.0 * 32768)):0.0} dBFS without cancellation, {Db(Math.Max(on.Power, 1e-3) / (32768.0 * 32768)):0.0} dBFS with: {erle:0.0} dB less; bob sent {on.BytesSent} bytes in the window ({off.BytesSent} without); estimated delay {on.EstimatedDelayMs} ms");
            Assert.True(off.BytesSent > 10_000, $"without cancellation bob's voice activity takes the echo for speech and sends it ({off.BytesSent} bytes)");
            Assert.True(erle >= 30, $"{erle:0.0} dB less of alice's voice comes back with cancellation (echo {50 + extraMs} ms)");

            // Only the room's description (15 bytes once a second) may go out while bob hears nothing but the echo.
            Assert.True(on.BytesSent <= 15 * 6, $"bob sent {on.BytesSent} bytes while he heard only alice's echo");
            Assert.NotNull(on.EstimatedDelayMs);
            Assert.InRange(on.EstimatedDelayMs!.Value, 50 + extraMs, 50 + extraMs + 160);
            estimates.Add(on.EstimatedDelayMs.Value);
        }

        // The delay found follows the room: 300 ms more echo is 300 ms more estimated, whatever the rig adds to both.
        Assert.InRange(estimates[1] - estimates[0], 280, 320);
    }

    [Fact(Timeout = 120_000)]
    public async Task NoiseSuppression_LowersStationaryWhiteNoiseByAtLeast15Db()
    {
        var off = await NoiseCallAsync(suppress: false);
        var on = await NoiseCallAsync(suppress: true);
        output.WriteLine($"noise RMS off {off:0.0}, on {on:0.0}: {Db((on * on) / (off * off)):0.0} dB");
        Assert.True(off > 0.02 * 32768, $"the noise arrives without suppression (RMS {off:0})");
        Assert.True(Db((on * on) / (off * off)) <= -15, $"noise at alice {Db((on * on) / (off * off)):0.0} dB with suppression");
    }

    [Fact(Timeout = 120_000)]
    public async Task AutomaticGain_BringsQuietSpeechToWithin6DbOfTheTarget()
    {
        const int Target = -20;
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"], new AudioCall.Member(name => name == "bob" ? ["--Audio:GainTargetDbfs", $"{Target}"] : AudioCall.Member.ToneArguments));
        call.Rig("bob").FeedSamples(Speech.At(-30), 1, loop: true);
        await Task.Delay(6000, TestContext.Current.CancellationToken);
        var heard = await call.Rig("alice").RecordFromNowAsync(6);
        var level = Speech.ActiveLevelDbfs(heard);
        output.WriteLine($"speech at alice {level:0.0} dBFS");
        Assert.True(Math.Abs(level - Target) <= 6, $"bob's -30 dBFS speech at alice: {level:0.0} dBFS, target {Target}");
        var status = await call.Client("bob").StatusAsync();
        Assert.True(status.AutoGain);
        Assert.Contains("automatic gain (to -20 dBFS)", status.AudioProcessing, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Speech_MarksTheSpeaker_SilenceClearsItWithin300Ms_AndPausesSendNothing()
    {
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"], new AudioCall.Member(name => name == "bob" ? [] : AudioCall.Member.ToneArguments, CaptureLeadPeriods: 3));
        var bob = call.Rig("bob");
        var alice = call.Client("alice");
        var speech = Speech.At(-20);
        var fedAt = bob.Now;
        bob.FeedSamples(speech, 1, loop: false);
        var end = fedAt + (Speech.End(speech) / (double)Rate);

        // Watch alice's who as a person would, every 10 ms, until a second after the speech ends.
        var marked = false;
        var lastMarked = double.NaN;
        while (bob.Now < end + 1)
        {
            var speaking = (await alice.WhoAsync()).Single(p => p.Name == "bob").Speaking;
            if (speaking)
            {
                marked = true;
                lastMarked = bob.Now;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(marked, "bob's speech marks him speaking at alice");
        var clearedAfterMs = (lastMarked - end) * 1000;
        output.WriteLine($"mark cleared {clearedAfterMs:0} ms after the speech ended");
        Assert.True(clearedAfterMs <= 300, $"the mark stayed {clearedAfterMs:0} ms after the speech ended");

        // Two seconds of silence send (almost) nothing: the pause packet and the room's description once a second
        // (a header of 15 bytes, for comfort noise), no more.
        var before = (await call.Client("bob").StatusAsync()).AudioPacketsSent;
        await Task.Delay(2000, TestContext.Current.CancellationToken);
        var sent = (await call.Client("bob").StatusAsync()).AudioPacketsSent - before;
        output.WriteLine($"{before} packets for the speech, {sent} in 2 s of silence");
        Assert.True(sent <= 3, $"bob sent {sent} audio packets in 2 s of silence");
        Assert.True(before >= 100, $"bob sent {before} audio packets for {speech.Length / (double)Rate:0.0} s of speech");
    }

    [Fact(Timeout = 120_000)]
    public async Task InAPause_OthersHearTheSendersRoom_NotADeadLine_AndComfortNoiseFalseTurnsItOff()
    {
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob", "carol"], new AudioCall.Member(name => name == "carol" ? ["--Audio:ComfortNoise", "false"] : [], CaptureLeadPeriods: 3));

        // bob speaks in a room with a fan (white noise at -50 dBFS), then pauses; the fan goes on.
        var speech = Speech.At(-20);
        var random = new Random(5);
        var start = -1L;
        var bob = call.Rig("bob");
        bob.Feed(n =>
        {
            start = start < 0 ? n : start;
            var voice = n - start < speech.Length ? speech[n - start] : 0;
            var fan = 0.00316 * 32767 * Math.Sqrt(-2 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return (short)Math.Clamp(voice + fan, short.MinValue, short.MaxValue);
        });
        await Task.Delay(TimeSpan.FromSeconds((Speech.End(speech) / (double)Rate) + 1.5), TestContext.Current.CancellationToken);

        // In the pause: alice hears bob's room, quieter than the fan (noise suppression took it down), but not nothing;
        // carol, with comfort noise off, hears digital silence.
        var recordings = await Task.WhenAll(call.Rig("alice").RecordFromNowAsync(1.5), call.Rig("carol").RecordFromNowAsync(1.5));
        var (heard, dead) = (recordings[0], recordings[1]);
        var level = Signal.Dbfs(heard);
        output.WriteLine($"in bob's pause alice hears {level:0.0} dBFS, carol {Signal.Dbfs(dead):0.0} dBFS");
        Assert.InRange(level, -100, -45);
        Assert.True(Signal.LongestSilenceMs(heard, Rate, 0) < 5, $"alice's speaker was silent for {Signal.LongestSilenceMs(heard, Rate, 0):0} ms in bob's pause");
        Assert.Equal(0, Signal.Rms(dead));
        Assert.False((await call.Client("alice").WhoAsync()).Single(p => p.Name == "bob").Speaking);
    }

    [Fact(Timeout = 120_000)]
    public async Task Volume_PerParticipant_ScalesWhatIsPlayed_IsShownInWho_AndBadValuesChangeNothing()
    {
        using var root = new TempDirectory();
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"]);
        call.Rig("alice").FeedTone(440, 0.2);
        var full = Signal.Rms(await call.RecordAsync("bob", 2));
        var bob = call.Client("bob");

        var (code, stdout, stderr) = await AttachRunner.RunAsync(call.Daemon("bob").SocketPath, "volume", "alice", "50");
        Assert.True(code == 0, stderr);
        Assert.Contains("alice now plays at 50%", stdout, StringComparison.Ordinal);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var half = Signal.Rms(await call.Rig("bob").RecordFromNowAsync(2));
        output.WriteLine($"RMS at 100% {full:0}, at 50% {half:0}");
        Assert.InRange(half / full, 0.4, 0.6);
        Assert.Equal(50, (await bob.WhoAsync()).Single(p => p.Name == "alice").Volume);

        foreach (var (name, percent, message) in new[] { ("alice", 201, "0 to 200"), ("alice", -1, "0 to 200"), ("nobody", 80, "nobody named 'nobody'"), (string.Empty, 80, "needs the name") })
        {
            var refused = await Assert.ThrowsAsync<RemoteInvocationException>(() => bob.Rpc.InvokeAsync<ParticipantInfo[]>(ControlProtocol.Methods.SetVolume, name, percent));
            Assert.Equal(ControlProtocol.ErrorCodes.InvalidArgument, refused.ErrorCode);
            Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        }

        var (cliCode, _, cliError) = await AttachRunner.RunAsync(call.Daemon("bob").SocketPath, "volume", "alice", "250");
        Assert.NotEqual(0, cliCode);
        Assert.Contains("PERCENT must be a whole number from 0 to 200", cliError, StringComparison.Ordinal);
        Assert.Equal(50, (await bob.WhoAsync()).Single(p => p.Name == "alice").Volume);

        await bob.Rpc.InvokeAsync<ParticipantInfo[]>(ControlProtocol.Methods.SetVolume, "alice", 0);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.True(Signal.Rms(await call.Rig("bob").RecordFromNowAsync(1)) < 30, "volume 0 is silent");
    }

    private static double Db(double powerRatio) => 10 * Math.Log10(powerRatio);

    /// <summary>
    /// A call of alice (espeak-ng's sentence over and over) and bob (silent, his speaker in his microphone
    /// <paramref name="extraMs"/> + 50 ms later at -6 dB), with the shipped settings but bob's echo cancellation as
    /// given: after 3 s, what alice hears in 4 s, the bytes bob sent meanwhile, and bob's estimated echo delay.
    /// </summary>
    private static async Task<(double Power, long BytesSent, int? EstimatedDelayMs, TimeSpan? RigStalled)> SpeechEchoCallAsync(int extraMs, bool echoCancel)
    {
        using var root = new TempDirectory();
        string[] Arguments(string name) => name == "bob" && !echoCancel ? ["--Audio:EchoCancel", "false"] : [];
        // The rig's default capture lead (10 periods, which the file plugin cannot report): with 3, a stall of the test
        // process over 30 ms emptied the capture pipe, alsa-lib padded the read with silence, and the echo came that much
        // later from then on (the room moved under the canceller, down to 5 dB in a loaded CI run). The estimator finds
        // the lead as part of the echo's delay.
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"], new AudioCall.Member(Arguments));
        call.Rig("bob").EchoBack(EchoDelay + TimeSpan.FromMilliseconds(extraMs), -6);
        var sentence = Speech.At(-26);
        call.Rig("alice").FeedSamples([.. sentence, .. new short[Rate / 2]], 1, loop: true);
        await call.RecordAsync("bob", 0.1);
        call.Rig("bob").ResetLateness();
        await Task.Delay(3000);
        var before = (await call.Client("bob").StatusAsync()).AudioBytesSent;
        var heard = await call.Rig("alice").RecordFromNowAsync(4);
        var status = await call.Client("bob").StatusAsync();
        Assert.Equal(echoCancel, status.EchoCancel);
        var late = call.Rig("bob").WorstLate;
        return (heard.Average(s => (double)s * s), status.AudioBytesSent - before, status.EchoDelayMs, late > TimeSpan.FromMilliseconds(80) ? late : null);
    }

    /// <summary>What alice hears of white noise at bob's microphone (sent continuously, so the suppressor is measured and not the pauses).</summary>
    private static async Task<double> NoiseCallAsync(bool suppress)
    {
        using var root = new TempDirectory();
        string[] Arguments(string name) =>
            ["--Audio:Transmit", "continuous", "--Audio:AutoGain", "false", "--Audio:NoiseSuppress", name == "bob" && suppress ? "true" : "false"];
        await using var call = await AudioCall.StartAsync(root, ["alice", "bob"], new AudioCall.Member(Arguments));
        call.Rig("bob").FeedNoise(0.05);
        await Task.Delay(3000);
        var heard = await call.Rig("alice").RecordFromNowAsync(2);
        Assert.Equal(suppress, (await call.Client("bob").StatusAsync()).NoiseSuppress);
        return Signal.Rms(heard);
    }
}
