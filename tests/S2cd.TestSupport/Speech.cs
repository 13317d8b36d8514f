using System.Diagnostics;

namespace S2cd.Tests.Support;

/// <summary>
/// Real speech for the audio tests: espeak-ng (a test package) renders a sentence to a WAV file, read here and
/// resampled to 48 kHz, and scaled to a chosen active speech level.
/// </summary>
internal static class Speech
{
    public const string Sentence = "The quick brown fox jumps over the lazy dog, while the conference goes on in the terminal.";

    /// <summary>Another speaker's sentence (another voice), for the near end of a double talk.</summary>
    public const string OtherSentence = "Could you say that again? I think the build on my machine is still running the tests.";
    private static readonly Lazy<short[]> Rendered = new(() => Render(Sentence, "en"));
    private static readonly Lazy<short[]> OtherRendered = new(() => Render(OtherSentence, "en+f3"));

    /// <summary>The sentence at 48 kHz, its active speech level (<see cref="ActiveLevelDbfs"/>) at <paramref name="levelDbfs"/>.</summary>
    public static short[] At(double levelDbfs) => Scaled(Rendered.Value, levelDbfs);

    /// <summary><see cref="OtherSentence"/> in another voice at <paramref name="levelDbfs"/>.</summary>
    public static short[] OtherAt(double levelDbfs) => Scaled(OtherRendered.Value, levelDbfs);

    private static short[] Scaled(short[] speech, double levelDbfs)
    {
        var gain = Math.Pow(10, (levelDbfs - ActiveLevelDbfs(speech)) / 20);
        return [.. speech.Select(s => (short)Math.Clamp(s * gain, short.MinValue, short.MaxValue))];
    }

    /// <summary>
    /// The active speech level in dBFS: the power mean of the 10 ms frames no more than 30 dB below the loudest
    /// (a simple form of ITU-T P.56: pauses between words do not count).
    /// </summary>
    public static double ActiveLevelDbfs(ReadOnlySpan<short> samples)
    {
        const int Frame = AudioRig.Rate / 100;
        var levels = new List<double>();
        for (var i = 0; i + Frame <= samples.Length; i += Frame)
        {
            levels.Add(Signal.Rms(samples.Slice(i, Frame)) / 32768.0);
        }

        var loudest = levels.Count == 0 ? 0 : levels.Max();
        var active = levels.Where(l => l > 0 && l >= loudest * Math.Pow(10, -30.0 / 20)).ToList();
        return active.Count == 0 ? -127 : 10 * Math.Log10(active.Average(l => l * l));
    }

    /// <summary>Index of the last sample louder than 1% of full scale: where the speech ends.</summary>
    public static int End(ReadOnlySpan<short> samples)
    {
        for (var i = samples.Length - 1; i >= 0; i--)
        {
            if (Math.Abs((int)samples[i]) > 328)
            {
                return i;
            }
        }

        return 0;
    }

    private static short[] Render(string sentence, string voice)
    {
        var wav = Path.Combine(Path.GetTempPath(), $"s2cd-speech-{Environment.ProcessId}-{Guid.NewGuid():N}.wav");
        try
        {
            using (var espeak = Process.Start(new ProcessStartInfo("espeak-ng", ["-v", voice, "-w", wav, sentence]) { RedirectStandardError = true })
                ?? throw new InvalidOperationException("espeak-ng did not start"))
            {
                espeak.WaitForExit();
                if (espeak.ExitCode != 0)
                {
                    throw new InvalidOperationException($"espeak-ng failed: {espeak.StandardError.ReadToEnd()}");
                }
            }

            var (samples, rate) = ReadWav(File.ReadAllBytes(wav));
            return Resample(samples, rate, AudioRig.Rate);
        }
        finally
        {
            File.Delete(wav);
        }
    }

    /// <summary>The samples and rate of a 16-bit mono PCM WAV file.</summary>
    private static (short[] Samples, int Rate) ReadWav(byte[] file)
    {
        var rate = BitConverter.ToInt32(file, 24);
        var at = 12;
        while (at + 8 <= file.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(file, at, 4);
            var size = BitConverter.ToInt32(file, at + 4);
            if (id == "data")
            {
                // espeak-ng writing to a file leaves the data size of a stream (0 or -1): take what is there.
                var length = size <= 0 || at + 8 + size > file.Length ? file.Length - at - 8 : size;
                var samples = new short[length / 2];
                Buffer.BlockCopy(file, at + 8, samples, 0, samples.Length * 2);
                return (samples, rate);
            }

            at += 8 + size;
        }

        throw new InvalidDataException("no data chunk in espeak-ng's WAV file");
    }

    private static short[] Resample(short[] input, int from, int to)
    {
        var output = new short[(int)((long)input.Length * to / from)];
        for (var i = 0; i < output.Length; i++)
        {
            var x = (double)i * from / to;
            var j = (int)x;
            var next = Math.Min(j + 1, input.Length - 1);
            output[i] = (short)((input[j] * (1 - (x - j))) + (input[next] * (x - j)));
        }

        return output;
    }
}
