using System.Buffers.Binary;

namespace S2cd.Audio;

/// <summary>
/// The header of an audio media payload, before the Opus packet, big-endian:
/// <c>u8 version (2), u32 sequence, i64 capture time of the first sample (Unix µs), u8 level, u8 flags</c>.
/// The level is the frame's loudness in -dBov (0 loudest, 127 silence). Flags: <see cref="VoiceFlag"/>, the sender's
/// voice activity detection heard speech in the frame (the speaking mark); <see cref="PauseFlag"/>, the sender sends
/// nothing more until it hears speech again (discontinuous transmission), so a receiver that runs dry after it is
/// in a pause, not an underrun; <see cref="NoiseFlag"/> (with the pause flag, and no Opus packet after the header): a
/// comfort-noise description, sent in a pause about once a second, whose level is the room's as the sender hears it,
/// for the receiver to play as noise of that level until the sender speaks again. Version 1 (14 bytes, no flags) is
/// still read: its speaking mark is its level. The sequence counts Opus packets sent (a comfort-noise description
/// repeats the last one's), so a pause is no loss.
/// </summary>
internal readonly record struct AudioPacketHeader(uint Sequence, long CapturedAt, byte Level, bool Voice = false, bool Pause = false, bool Noise = false)
{
    public const byte Version = 2;
    public const int Size = 1 + 4 + 8 + 1 + 1;
    public const byte VoiceFlag = 1;
    public const byte PauseFlag = 2;
    public const byte NoiseFlag = 4;

    /// <summary>A version-1 header: its level alone marked speaking, below this many dB under full scale.</summary>
    public const byte Version1SpeakingLevel = 45;
    private const int Version1Size = Size - 1;

    /// <summary>The smallest header of any version read.</summary>
    public const int MinSize = Version1Size;

    /// <summary>Largest Opus packet accepted; 24 kbit/s CBR makes 60 bytes per 20 ms.</summary>
    public const int MaxOpusBytes = 1275;

    public void Write(Span<byte> destination)
    {
        destination[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[5..], CapturedAt);
        destination[13] = Level;
        destination[14] = (byte)((Voice ? VoiceFlag : 0) | (Pause ? PauseFlag : 0) | (Noise ? NoiseFlag : 0));
    }

    /// <summary>The header at the start of <paramref name="source"/> and its length, or null when it is not a valid one.</summary>
    public static (AudioPacketHeader Header, int Length)? TryRead(ReadOnlySpan<byte> source)
    {
        if (source.Length <= MinSize || source[13] > 127)
        {
            return null;
        }

        var sequence = BinaryPrimitives.ReadUInt32BigEndian(source[1..]);
        var capturedAt = BinaryPrimitives.ReadInt64BigEndian(source[5..]);
        switch (source[0])
        {
            case 1 when source.Length <= Version1Size + MaxOpusBytes:
                return (new AudioPacketHeader(sequence, capturedAt, source[13], Voice: source[13] < Version1SpeakingLevel), Version1Size);
            case Version when source.Length > Size && source.Length <= Size + MaxOpusBytes && source[14] <= (VoiceFlag | PauseFlag):
                return (new AudioPacketHeader(sequence, capturedAt, source[13], (source[14] & VoiceFlag) != 0, (source[14] & PauseFlag) != 0), Size);
            case Version when source.Length == Size && source[14] == (PauseFlag | NoiseFlag):
                return (new AudioPacketHeader(sequence, capturedAt, source[13], Pause: true, Noise: true), Size);
            default:
                return null;
        }
    }

    /// <summary>Loudness of a frame in -dBov, 0 (full scale) to 127 (silence).</summary>
    public static byte LevelOf(ReadOnlySpan<short> samples)
    {
        var rms = Rms(samples);
        return rms <= 0 ? (byte)127 : (byte)Math.Clamp(-20 * Math.Log10(rms), 0, 127);
    }

    /// <summary>The root mean square of <paramref name="samples"/>, as a fraction of full scale.</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, samples.Length)) / 32768.0;
    }
}
