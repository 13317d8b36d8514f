using S2cd.Audio;

namespace S2cd.Tests.Audio;

/// <summary>
/// The parts of the microphone's processing that keep time and levels, on their own: the echo canceller's reference
/// timeline, voice activity's hold and tail, and automatic gain. Deterministic: times are given, not measured.
/// </summary>
public sealed class VoiceProcessingTests
{
    private const int Period = AudioOptions.PeriodSamples;

    [Fact]
    public void EchoReference_GivesTheCapturedPeriodWhatTheSpeakerPlayedAtThatMoment_ByTheDevicesDelays()
    {
        var reference = new EchoReference();
        const long T0 = 1_000_000;

        // Periods 0..9 written 10 ms apart, each queued behind 2 periods in the device: period k is heard at T0 + (k + 2) * 480.
        for (var k = 0; k < 10; k++)
        {
            reference.Played(Filled((short)(k + 1)), T0 + (k * Period), 2 * Period);
        }

        // A period read at T0 + 6 * 480 with one period still waiting: its first sample was heard at T0 + 4 * 480,
        // when period 2 played.
        var got = new short[Period];
        reference.Captured(got, T0 + (6 * Period), Period);
        Assert.All(got, s => Assert.Equal(3, s));

        // The next read, 10 ms later with a millisecond of scheduling jitter, continues the same timeline.
        reference.Captured(got, T0 + (7 * Period) + 48, Period);
        Assert.All(got, s => Assert.Equal(4, s));
        Assert.Equal((0, 0), (reference.PlaybackRealigned, reference.CaptureRealigned));

        // What the speaker has not played yet is silence, not a stale sample.
        reference.Captured(got, T0 + (40 * Period), 0);
        Assert.All(got, s => Assert.Equal(0, s));
        Assert.Equal(1, reference.CaptureRealigned);
    }

    [Fact]
    public void EchoReference_AfterAPlaybackStall_HasSilenceInTheGap_AndFollowsTheDeviceAgain()
    {
        var reference = new EchoReference();
        const long T0 = 5_000_000;
        reference.Played(Filled(1), T0, 0);
        reference.Played(Filled(2), T0 + Period, 0);

        // The playback thread stalls 100 ms: the device's figure jumps ahead of the running position, which follows it.
        reference.Played(Filled(3), T0 + (12 * Period), 0);
        Assert.Equal(1, reference.PlaybackRealigned);
        var got = new short[Period];
        reference.Captured(got, T0 + (6 * Period), 0);
        Assert.All(got, s => Assert.Equal(0, s));
        reference.Captured(got, T0 + (13 * Period), 0);
        Assert.All(got, s => Assert.Equal(3, s));
    }

    [Fact]
    public void VoiceActivity_MarksSpeechAtOnce_ClearsTheMark100MsAfter_AndTransmits400MsLonger()
    {
        var vad = new VoiceActivity();
        Assert.True(vad.Next(-20, 95));
        Assert.True(vad.Speaking);
        var cleared = -1;
        var stopped = -1;
        for (var i = 1; i <= 100; i++)
        {
            vad.Next(-70, 10);
            if (!vad.Speaking && cleared < 0)
            {
                cleared = i * 10;
            }

            if (!vad.Transmitting && stopped < 0)
            {
                stopped = i * 10;
            }
        }

        Assert.Equal(110, cleared);
        Assert.Equal(510, stopped);

        // Loud is not speech by itself: a tone speexdsp has learnt as noise, or a quiet period of high probability.
        vad.Reset();
        Assert.False(vad.Next(-10, 12));
        Assert.False(vad.Next(-75, 99));
    }

    [Fact]
    public void VoiceActivity_WithoutSpeexdsp_FollowsTheLoudnessAboveTheNoiseFloor()
    {
        var vad = new VoiceActivity();
        for (var i = 0; i < 200; i++)
        {
            Assert.False(vad.Next(-50, null));
        }

        Assert.True(vad.Next(-25, null));
        Assert.False(vad.Next(-48, null));
    }

    [Fact]
    public void AutoGain_BringsSpeechToTheTargetAtAtMost10DbASecond_HoldsInPauses_AndNeverClips()
    {
        var gain = new AutoGain(-20);
        var period = new short[Period];
        for (var i = 0; i < 100; i++)
        {
            gain.Apply(Sine(period, -32), speech: true, -32);
        }

        // A second of speech 12 dB too quiet: 10 dB of gain, no more.
        Assert.InRange(gain.GainDb, 9.9, 10.01);
        for (var i = 0; i < 100; i++)
        {
            gain.Apply(Sine(period, -32), speech: true, -32);
        }

        Assert.InRange(gain.GainDb, 11.9, 12.01);
        Assert.InRange(VoiceProcessor.Dbfs(period), -20.5, -19.5);

        // Pauses change nothing, whatever their level.
        for (var i = 0; i < 100; i++)
        {
            gain.Apply(Sine(period, -60), speech: false, -60);
        }

        Assert.InRange(gain.GainDb, 11.9, 12.01);

        // A shout right after: the limiter keeps it from clipping while the gain comes down.
        gain.Apply(Sine(period, -1), speech: true, -1);
        Assert.True(period.Max(s => Math.Abs((int)s)) <= 32000);
        for (var i = 0; i < 100; i++)
        {
            gain.Apply(Sine(period, -1), speech: true, -1);
        }

        Assert.InRange(gain.GainDb, -19.01, -18.9);
    }

    private static short[] Filled(short value) => Enumerable.Repeat(value, Period).ToArray();

    private static short[] Sine(short[] period, double dbfs)
    {
        var amplitude = Math.Pow(10, dbfs / 20) * Math.Sqrt(2) * 32767;
        for (var i = 0; i < period.Length; i++)
        {
            period[i] = (short)Math.Clamp(amplitude * Math.Sin(2 * Math.PI * 300 * i / AudioOptions.SampleRate), short.MinValue, short.MaxValue);
        }

        return period;
    }
}
