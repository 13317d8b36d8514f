namespace S2cd.Tests.Support;

/// <summary>Measurements on recorded audio.</summary>
internal static class Signal
{
    /// <summary>Frequency of a single tone from rising zero crossings, interpolated between samples.</summary>
    public static double Frequency(ReadOnlySpan<short> samples, int rate)
    {
        double first = -1, last = -1;
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                var t = i - 1 + ((double)-samples[i - 1] / (samples[i] - samples[i - 1]));
                if (first < 0)
                {
                    first = t;
                }
                else
                {
                    crossings++;
                }

                last = t;
            }
        }

        return crossings == 0 ? 0 : crossings * rate / (last - first);
    }

    /// <summary>Power of one frequency (Goertzel), normalised to the window length.</summary>
    public static double Power(ReadOnlySpan<short> samples, double frequency, int rate)
    {
        var w = 2 * Math.PI * frequency / rate;
        var coefficient = 2 * Math.Cos(w);
        double s1 = 0, s2 = 0;
        foreach (var x in samples)
        {
            var s0 = (x / 32768.0) + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return ((s1 * s1) + (s2 * s2) - (coefficient * s1 * s2)) / samples.Length / samples.Length;
    }

    /// <summary>The longest run, in milliseconds, of 1 ms blocks whose peak stays below <paramref name="threshold"/>.</summary>
    public static double LongestSilenceMs(ReadOnlySpan<short> samples, int rate, short threshold) => Silences(samples, rate, threshold).LongestMs;

    /// <summary>
    /// Silence in 1 ms blocks whose peak stays below <paramref name="threshold"/>: the share of such blocks (100 when
    /// there are none at all), the runs of them over 60 ms (gaps), and the longest run, in milliseconds.
    /// </summary>
    public static (double Percent, int Gaps, double LongestMs, int Blocks) Silences(ReadOnlySpan<short> samples, int rate, short threshold)
    {
        var block = rate / 1000;
        int silent = 0, blocks = 0, run = 0, longest = 0, gaps = 0;
        for (var i = 0; i + block <= samples.Length; i += block)
        {
            blocks++;
            var peak = 0;
            foreach (var s in samples.Slice(i, block))
            {
                peak = Math.Max(peak, Math.Abs((int)s));
            }

            if (peak < threshold)
            {
                silent++;
                run++;
                longest = Math.Max(longest, run);
                continue;
            }

            gaps += run > 60 ? 1 : 0;
            run = 0;
        }

        gaps += run > 60 ? 1 : 0;
        return (blocks == 0 ? 100 : 100.0 * silent / blocks, gaps, longest, blocks);
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, samples.Length));
    }

    /// <summary>The level of <paramref name="samples"/> in dB below full scale (negative infinity for digital silence).</summary>
    public static double Dbfs(ReadOnlySpan<short> samples) => 20 * Math.Log10(Rms(samples) / 32768);
}
