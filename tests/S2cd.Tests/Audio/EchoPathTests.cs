using S2cd.Audio;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>
/// The echo path found from the signals, in the simulated room of <see cref="EchoRoom"/> (the daemon's own reference,
/// alignment and processing, sample by sample): espeak-ng's speech as the far end, echoes 0, 150 and 300 ms later than
/// the devices report, clocks 100 ppm apart, a double talk, and what must not move the estimate (a steady tone, the near
/// end alone). The same figures in real daemons are in <see cref="AudioProcessingTests"/>. In the real-time collection:
/// the simulation keeps a core busy for seconds, and beside the audio rig's tests it made a rig stall (a real-daemon
/// echo test once fell to 5 dB while these ran beside it in CI).
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class EchoPathTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(150, 0)]
    [InlineData(300, 0)]
    [InlineData(150, 100)]
    [InlineData(300, -100)]
    [InlineData(150, 10)]
    [InlineData(150, 1)]
    public void TheEchoDelay_IsFoundFromTheSpeech_AndTheEchoStaysDown25DbAfter3s(int extraMs, int driftPpm)
    {
        var on = EchoRoom.Run(new EchoRoom.Setup(extraMs, driftPpm));
        var off = EchoRoom.Run(new EchoRoom.Setup(extraMs, driftPpm, EchoCancel: false));
        var erle = Db(EchoRoom.Power(off.Output, 3, on.Echo) / EchoRoom.Power(on.Output, 3, on.Echo));
        var late = Db(EchoRoom.Power(off.Output, 6, on.Echo) / EchoRoom.Power(on.Output, 6, on.Echo));
        output.WriteLine($"extra {extraMs} ms, drift {driftPpm} ppm (followed {on.DriftPpm:0.0}; ERLE after 6 s {late:0.0}): estimate {on.EstimatedDelayMs} ms (first after {on.FirstEstimateMs} ms), {on.Moves} moves, ERLE after 3 s {erle:0.0} dB, sent {Percent(on.Transmitted, 3):0}% of periods (off {Percent(off.Transmitted, 3):0}%)");
        Assert.NotNull(on.EstimatedDelayMs);

        // Drift adds 0.1 ms a second: by the end of 8 s under a millisecond.
        Assert.InRange(on.EstimatedDelayMs!.Value, extraMs - 2, extraMs + 2);
        Assert.InRange(on.FirstEstimateMs, 0, 2500);
        Assert.True(erle >= 25, $"ERLE {erle:0.0} dB");
        Assert.True(late >= 25, $"ERLE {late:0.0} dB after 6 s: it does not stay");
    }

    [Fact]
    public void WithTheShippedSettings_TheEcho_IsDown30Db_AndNothingIsSentWhileOnlyEchoIsHeard()
    {
        var on = EchoRoom.Run(new EchoRoom.Setup(50));
        var off = EchoRoom.Run(new EchoRoom.Setup(50, EchoCancel: false));
        var erle = Db(EchoRoom.Power(off.Output, 3, on.Echo) / EchoRoom.Power(on.Output, 3, on.Echo));
        output.WriteLine($"ERLE {erle:0.0} dB; sent {Percent(on.Transmitted, 3):0.0}% of periods after 3 s (off {Percent(off.Transmitted, 3):0}%)");
        Assert.True(Percent(off.Transmitted, 3) > 50, "without cancellation the echo is taken for speech and sent");
        Assert.True(erle >= 30, $"ERLE {erle:0.0} dB");
        Assert.Equal(0, Percent(on.Transmitted, 3));
    }

    [Fact]
    public void InDoubleTalk_TheNearEndStaysWithin6Db()
    {
        var talk = EchoRoom.Run(new EchoRoom.Setup(150, NearEnd: true));
        var alone = EchoRoom.Run(new EchoRoom.Setup(150, GainDb: -200, NearEnd: true));
        var both = Db(EchoRoom.Power(talk.Output, 3, talk.Near) / EchoRoom.Power(alone.Output, 3, alone.Near));
        output.WriteLine($"near end in double talk {both:+0.0;-0.0;0.0} dB against the near end alone (estimate {talk.EstimatedDelayMs} ms)");
        Assert.InRange(both, -6, 6);
    }

    [Fact]
    public void AToneOrTheNearEndAlone_NeverMoveTheReference()
    {
        var estimator = new EchoDelayEstimator();
        var tone = new short[AudioOptions.PeriodSamples];
        var echo = new short[AudioOptions.PeriodSamples];
        for (var p = 0; p < 500; p++)
        {
            for (var i = 0; i < tone.Length; i++)
            {
                var t = (p * tone.Length) + i;
                tone[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * t / AudioOptions.SampleRate));
                echo[i] = (short)(4000 * Math.Sin(2 * Math.PI * 440 * (t - 3000) / AudioOptions.SampleRate));
            }

            estimator.Observe(echo, tone);
        }

        Assert.Null(estimator.DelaySamples);

        var near = EchoRoom.Run(new EchoRoom.Setup(150, GainDb: -200, NearEnd: true));
        Assert.Null(near.EstimatedDelayMs);
        Assert.Equal(0, near.Moves);
    }

    private static double Db(double ratio) => 10 * Math.Log10(ratio);

    private static double Percent(bool[] periods, double fromSeconds)
    {
        var from = (int)(fromSeconds * 100);
        return 100.0 * periods.Skip(from).Count(x => x) / Math.Max(1, periods.Length - from);
    }
}
