using S2cd.Audio;
using S2cd.Tests.Support;

namespace S2cd.Benchmarks.Harness;

/// <summary>
/// What a receiving daemon's speaker wrote (raw 48 kHz mono S16 from ALSA's file plugin), measured in 1 ms blocks:
/// silence as the share of blocks whose peak is under 300 (−41 dBFS), gaps as runs of them over 60 ms.
/// </summary>
internal sealed record HeardAudio(double SilencePercent, int Gaps, double LongestGapMs, double Seconds)
{
    private const short Silent = 300;

    /// <summary>The tone the benchmarks send: 440 Hz at −12 dBFS, sent continuously and with noise suppression off, so a steady tone is neither held back as "not speech" nor taken out as noise.</summary>
    public static readonly string[] ToneSettings = ["--Audio:Transmit", "continuous", "--Audio:NoiseSuppress", "false"];

    public const string ToneNote = "The sender plays a 440 Hz tone at −12 dBFS, sent continuously with noise suppression off (--Audio:Transmit continuous --Audio:NoiseSuppress false), not the shipped voice-activated transmission, which sends nothing for a steady tone.";

    public static byte[] Tone(int seconds)
    {
        var bytes = new byte[AudioOptions.SampleRate * 2 * seconds];
        for (var i = 0; i < bytes.Length / 2; i++)
        {
            var v = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / AudioOptions.SampleRate));
            bytes[2 * i] = (byte)v;
            bytes[(2 * i) + 1] = (byte)(v >> 8);
        }

        return bytes;
    }

    /// <summary>Measures what <paramref name="path"/> holds from byte <paramref name="from"/> on.</summary>
    public static HeardAudio Read(string path, long from)
    {
        var bytes = File.ReadAllBytes(path);
        var start = (int)Math.Min(from & ~1L, bytes.Length);
        var samples = new short[(bytes.Length - start) / 2];
        Buffer.BlockCopy(bytes, start, samples, 0, samples.Length * 2);
        return Of(samples);
    }

    /// <summary>Measures <paramref name="samples"/> (48 kHz mono).</summary>
    public static HeardAudio Of(ReadOnlySpan<short> samples)
    {
        var (percent, gaps, longest, blocks) = Signal.Silences(samples, AudioOptions.SampleRate, Silent);
        return new HeardAudio(percent, gaps, longest, blocks / 1000.0);
    }

    /// <summary>Refuses a measurement in which under half of the window carried sound.</summary>
    public HeardAudio CarriedOrThrow(string what)
    {
        if (Seconds < 1 || SilencePercent > 50)
        {
            throw new NothingMeasuredException($"{what}: the receiver's speaker had sound in {100 - SilencePercent:0.0}% of {Seconds:0.0} s, under half of what was sent");
        }

        return this;
    }
}
