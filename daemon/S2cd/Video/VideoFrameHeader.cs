using System.Buffers.Binary;

namespace S2cd.Video;

/// <summary>
/// The header of a video media payload, before the JPEG bytes:
/// <c>u8 version, u32 sequence, i64 capture time (Unix µs), u16 width, u16 height</c>, big-endian.
/// Receivers use the time and sequence to measure delay and loss.
/// </summary>
internal readonly record struct VideoFrameHeader(uint Sequence, long CapturedAt, ushort Width, ushort Height)
{
    public const byte Version = 1;
    public const int Size = 1 + 4 + 8 + 2 + 2;

    public void Write(Span<byte> destination)
    {
        destination[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[5..], CapturedAt);
        BinaryPrimitives.WriteUInt16BigEndian(destination[13..], Width);
        BinaryPrimitives.WriteUInt16BigEndian(destination[15..], Height);
    }

    /// <summary>Reads a header; null when the payload is too short, of another version, or of an impossible size.</summary>
    public static VideoFrameHeader? TryRead(ReadOnlySpan<byte> source, int maxWidth, int maxHeight)
    {
        if (source.Length <= Size || source[0] != Version)
        {
            return null;
        }

        var header = new VideoFrameHeader(
            BinaryPrimitives.ReadUInt32BigEndian(source[1..]),
            BinaryPrimitives.ReadInt64BigEndian(source[5..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[13..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[15..]));
        return header.Width is 0 || header.Height is 0 || header.Width > maxWidth || header.Height > maxHeight ? null : header;
    }

}
