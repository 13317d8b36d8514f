using System.Buffers.Binary;

namespace S2cd.Audio;

/// <summary>
/// The header of an audio media payload, before the Opus packet:
/// <c>u8 version, u32 sequence, i64 capture time of the first sample (Unix µs), u8 level</c>, big-endian.
/// The level is the frame's loudness in -dBov (0 loudest, 127 silence), for the speaking marks.
/// </summary>
internal readonly record struct AudioPacketHeader(uint Sequence, long CapturedAt, byte Level)
{
    public const byte Version = 1;
    public const int Size = 1 + 4 + 8 + 1;

    /// <summary>Largest Opus packet accepted; 24 kbit/s CBR makes 60 bytes per 20 ms.</summary>
    public const int MaxOpusBytes = 1275;

    public void Write(Span<byte> destination)
    {
        destination[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[5..], CapturedAt);
        destination[13] = Level;
    }

    public static AudioPacketHeader? TryRead(ReadOnlySpan<byte> source)
    {
        if (source.Length <= Size || source.Length > Size + MaxOpusBytes || source[0] != Version || source[13] > 127)
        {
            return null;
        }

        return new AudioPacketHeader(BinaryPrimitives.ReadUInt32BigEndian(source[1..]), BinaryPrimitives.ReadInt64BigEndian(source[5..]), source[13]);
    }

    /// <summary>Loudness of a frame in -dBov, 0 (full scale) to 127 (silence).</summary>
    public static byte LevelOf(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        var rms = Math.Sqrt(sum / Math.Max(1, samples.Length)) / 32768.0;
        return rms <= 0 ? (byte)127 : (byte)Math.Clamp(-20 * Math.Log10(rms), 0, 127);
    }
}
