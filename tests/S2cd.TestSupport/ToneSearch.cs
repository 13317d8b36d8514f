using S2cd.Audio;

namespace S2cd.Tests.Support;

/// <summary>
/// Looks for a tone in recorded messages as a listener without keys would: every message short enough to be an
/// audio packet is taken as an Opus packet starting at each offset up to <c>maxOffset</c>, the packets are
/// decoded in order, and the share of the decoded sound that is the tone is measured in windows of 100 ms (the median window counts). A tone
/// sent in the clear shows at its offset; ciphertext decodes to noise at every offset.
/// </summary>
internal static class ToneSearch
{
    private const int Rate = 48_000;
    private const int Window = Rate / 10;

    /// <summary>The largest share (0..1) of the tone in the median window at any offset: 1 for a pure tone, about 0 for noise.</summary>
    public static double StrongestShare(IReadOnlyList<byte[]> messages, double frequency, int maxOffset = 64, int maxLength = 600)
    {
        var best = 0.0;
        var frame = new short[5760];
        for (var offset = 0; offset <= maxOffset; offset++)
        {
            using var decoder = new OpusDecoder(Rate);
            var pcm = new List<short>();
            foreach (var message in messages)
            {
                if (message.Length > offset + 2 && message.Length <= maxLength)
                {
                    var samples = decoder.Decode(message.AsSpan(offset), frame);
                    if (samples > 0)
                    {
                        pcm.AddRange(frame.AsSpan(0, samples));
                    }
                }
            }

            var all = pcm.ToArray();
            var shares = new List<double>();
            for (var start = 0; start + Window <= all.Length; start += Window)
            {
                var window = all.AsSpan(start, Window);
                var rms = Signal.Rms(window) / 32768.0;
                shares.Add(rms > 0.001 ? 2 * Signal.Power(window, frequency, Rate) / (rms * rms) : 0);
            }

            // The median window: a tone lasts, while noise has a tonal moment now and then.
            if (shares.Count >= 3)
            {
                shares.Sort();
                best = Math.Max(best, shares[shares.Count / 2]);
            }
        }

        return best;
    }
}
