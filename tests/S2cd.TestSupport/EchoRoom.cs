using S2cd.Audio;

namespace S2cd.Tests.Support;

/// <summary>
/// A room without headphones, simulated sample by sample around the daemon's own echo path (the same
/// <see cref="EchoReference"/>, <see cref="EchoAlignment"/> and <see cref="VoiceProcessor"/> its capture loop runs):
/// the far end's speech (espeak-ng) plays from the speaker and reaches the microphone <c>ExtraDelayMs</c> later than
/// the devices report, at <c>GainDb</c>, with the microphone's clock <c>DriftPpm</c> apart from the speaker's (the echo
/// comes a little later every second) and reflections off the walls up to 40 ms after the direct sound, beside an optional near-end talker and a little room noise. Deterministic and
/// far faster than real time, so the tests and <c>s2cd-bench audio-processing</c> can sweep delays.
/// </summary>
internal static class EchoRoom
{
    public const int Rate = AudioOptions.SampleRate;
    private const int Period = AudioOptions.PeriodSamples;

    /// <summary>The direct sound and a small room's reflections: milliseconds after it, and level (dB) against it.</summary>
    public static readonly (double AfterMs, double Db)[] Reflections = [(0, 0), (2.7, -8), (6.1, -11), (11.3, -14), (17.9, -17), (26.2, -21), (37.5, -26)];

    public sealed record Setup(double ExtraDelayMs, double DriftPpm = 0, double GainDb = -6, bool NearEnd = false, double Seconds = 8, bool EchoCancel = true, bool FindDelay = true);

    /// <summary>What came out: the processed microphone, the echo and near end as they reached it, and what the estimator said.</summary>
    public sealed record Result(short[] Output, short[] Echo, short[] Near, bool[] Transmitted, int? EstimatedDelayMs, long Moves, int FirstEstimateMs, double DriftPpm);

    /// <summary>The far end's speech as looped in the room: the sentence at −26 dBFS and half a second's pause, over and over.</summary>
    public static short[] FarEnd(double seconds) => Loop(Speech.At(-26), seconds, 0);

    public static Result Run(Setup setup, AudioOptions? options = null)
    {
        options ??= new AudioOptions { EchoCancel = setup.EchoCancel };
        var findDelay = setup.FindDelay;
        var n = (int)(setup.Seconds * Rate) / Period * Period;
        var far = FarEnd(setup.Seconds + 1);
        var near = setup.NearEnd ? Loop(Speech.OtherAt(-26), setup.Seconds, Rate * 3 / 4) : new short[n];
        var gain = Math.Pow(10, setup.GainDb / 20);
        var echo = new short[n];
        var random = new Random(7);
        for (var t = 0; t < n; t++)
        {
            // The echo of sample t left the speaker ExtraDelayMs earlier, plus what the drift has added by then, and its
            // reflections off the room's walls a little later and quieter.
            var delay = (setup.ExtraDelayMs / 1000 * Rate) + (setup.DriftPpm * 1e-6 * t);
            var value = 0.0;
            foreach (var (afterMs, db) in Reflections)
            {
                value += Sample(far, t - delay - (afterMs / 1000 * Rate)) * Math.Pow(10, db / 20);
            }

            echo[t] = (short)Math.Clamp(value * gain, short.MinValue, short.MaxValue);
        }

        var reference = new EchoReference();
        var alignment = new EchoAlignment(reference);
        using var processor = new VoiceProcessor(options);
        if (processor.Problem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        const long T0 = 10_000_000;
        var output = new short[n];
        var transmitted = new bool[n / Period];
        var canceller = new short[Period];
        var firstEstimate = -1;

        // The speaker is two periods ahead of the microphone, as a playback buffer keeps it; the devices report no delay.
        for (var k = 0; k < 2; k++)
        {
            reference.Played(far.AsSpan(k * Period, Period), T0 + (k * Period), 0);
        }

        for (var p = 0; p < n / Period; p++)
        {
            reference.Played(far.AsSpan((p + 2) * Period, Period), T0 + ((p + 2) * Period), 0);
            var period = output.AsSpan(p * Period, Period);
            for (var i = 0; i < Period; i++)
            {
                var t = (p * Period) + i;
                period[i] = (short)Math.Clamp(echo[t] + near[t] + random.Next(-30, 31), short.MinValue, short.MaxValue);
            }

            var heard = reference.Captured(canceller, T0 + ((p + 1) * Period), 0);
            if (findDelay && processor.CancelsEcho && alignment.Next(period, heard, canceller))
            {
                processor.RestartEchoCanceller();
            }

            processor.Process(period, canceller);
            transmitted[p] = processor.Activity.Transmitting;
            if (firstEstimate < 0 && alignment.EstimatedDelayMs is not null)
            {
                firstEstimate = p * 10;
            }
        }

        return new Result(output, echo, near.AsSpan(0, n).ToArray(), transmitted, alignment.EstimatedDelayMs, alignment.Moves, firstEstimate, alignment.DriftPpm);
    }

    /// <summary>Power of <paramref name="samples"/> from <paramref name="fromSeconds"/> on, where <paramref name="mask"/> has sound.</summary>
    public static double Power(ReadOnlySpan<short> samples, double fromSeconds, ReadOnlySpan<short> mask)
    {
        double sum = 0;
        var count = 0;
        for (var i = (int)(fromSeconds * Rate); i < samples.Length; i += Period)
        {
            var end = Math.Min(i + Period, samples.Length);
            if (Signal.Rms(mask[i..end]) < 30)
            {
                continue;
            }

            foreach (var s in samples[i..end])
            {
                sum += (double)s * s;
            }

            count += end - i;
        }

        return count == 0 ? 0 : sum / count;
    }

    /// <summary>
    /// <paramref name="samples"/> at a fractional index, band-limited (a sinc of 32 taps each side under a Hann window), so
    /// that a drifting delay is a clock's drift and not a filter whose treble comes and goes with the fraction.
    /// </summary>
    private static double Sample(short[] samples, double at)
    {
        const int Taps = 32;
        var i = (int)Math.Floor(at);
        var fraction = at - i;
        if (fraction == 0)
        {
            return i < 0 || i >= samples.Length ? 0 : samples[i];
        }

        double sum = 0;
        for (var k = -Taps + 1; k <= Taps; k++)
        {
            var j = i + k;
            if (j < 0 || j >= samples.Length)
            {
                continue;
            }

            var x = k - fraction;
            var window = 0.5 + (0.5 * Math.Cos(Math.PI * x / Taps));
            sum += samples[j] * window * Math.Sin(Math.PI * x) / (Math.PI * x);
        }

        return sum;
    }

    private static short[] Loop(short[] sentence, double seconds, int offset)
    {
        var once = sentence.Concat(new short[Rate / 2]).ToArray();
        var n = (int)(seconds * Rate) + Rate;
        var result = new short[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = once[(i + offset) % once.Length];
        }

        return result;
    }
}
