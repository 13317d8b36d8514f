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
    public void Decode_CorruptPackets_ReturnsOpusErrors_AndTheDecoderStillWorksAfter()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var decoder = new OpusDecoder(48000);
        var output = new short[960];

        // A code-3 packet (TOC byte 0x03) that says it holds zero frames: OPUS_INVALID_PACKET.
        Assert.Equal(OpusInvalidPacket, decoder.Decode([0x03, 0x00], output));

        // A valid 20 ms packet into room for 10 ms: OPUS_BUFFER_TOO_SMALL.
        var tone = new short[960];
        for (var i = 0; i < tone.Length; i++)
        {
            tone[i] = (short)(0.3 * 32767 * Math.Sin(2 * Math.PI * 440 * i / 48000));
        }

        var packet = new byte[1275];
        var length = encoder.Encode(tone, packet);
        Assert.Equal(OpusBufferTooSmall, decoder.Decode(packet.AsSpan(0, length), new short[480]));

        // Random bytes: each either decodes to at most 20 ms or is refused with an error, never anything else.
        var random = new Random(7);
        var refused = 0;
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 400)];
            random.NextBytes(garbage);
            var result = decoder.Decode(garbage, output);
            Assert.True(result is > 0 and <= 960 or OpusInvalidPacket or OpusBufferTooSmall, $"result {result}");
            refused += result < 0 ? 1 : 0;
        }

        Assert.InRange(refused, 1, 199);

        // Concealment and real packets still work after all that.
        Assert.Equal(960, decoder.Conceal(output));
        var decoded = new List<short>();
        for (var f = 0; f < 25; f++)
        {
            length = encoder.Encode(tone, packet);
            Assert.Equal(960, decoder.Decode(packet.AsSpan(0, length), output));
            decoded.AddRange(output);
        }

        Assert.True(Signal.Rms(decoded.Skip(9600).ToArray()) > 3000, "the tone decodes again");
    }

    private const int OpusBufferTooSmall = -2;
    private const int OpusInvalidPacket = -4;
}
