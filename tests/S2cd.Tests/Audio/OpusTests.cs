using S2cd.Audio;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>The binding to Debian's libopus, with the settings the daemon uses.</summary>
public sealed class OpusTests
{
    [Fact]
    public void EncodeDecode_Tone_KeepsFrequencyAndLevel()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var decoder = new OpusDecoder(48000);
        var frame = new short[960];
        var packet = new byte[1275];
        var decoded = new List<short>();
        var sizes = new HashSet<int>();
        for (var f = 0; f < 100; f++)
        {
            for (var i = 0; i < frame.Length; i++)
            {
                frame[i] = (short)(0.3 * 32767 * Math.Sin(2 * Math.PI * 440 * ((f * 960) + i) / 48000));
            }

            var length = encoder.Encode(frame, packet);
            sizes.Add(length);
            var output = new short[960];
            Assert.Equal(960, decoder.Decode(packet.AsSpan(0, length), output));
            decoded.AddRange(output);
        }

        var steady = decoded.Skip(48000).ToArray();
        Assert.InRange(Signal.Frequency(steady, 48000), 438, 442);
        Assert.InRange(Signal.Rms(steady), 0.3 * 32767 / Math.Sqrt(2) * 0.7, 0.3 * 32767 / Math.Sqrt(2) * 1.3);
        Assert.Equal([60], sizes);
    }

    [Fact]
    public void Decode_CorruptPackets_ReturnsErrorAndConcealmentStillWorks()
    {
        using var decoder = new OpusDecoder(48000);
        var output = new short[960];
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 400)];
            random.NextBytes(garbage);
            var result = decoder.Decode(garbage, output);
            Assert.True(result is 960 or < 0 || result > 0, $"result {result}");
        }

        Assert.Equal(960, decoder.Conceal(output));
    }
}
