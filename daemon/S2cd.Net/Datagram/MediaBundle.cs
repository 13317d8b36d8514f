using System.Buffers.Binary;
using S2cd.Wire;

namespace S2cd.Datagram;

/// <summary>
/// The plaintext of a MediaBundle datagram (relay → daemon): several frames of one fragment, each
/// <c>u16 length, u32 sender, fragment</c>, as the relay gathered them for one receiver.
/// </summary>
internal static class MediaBundle
{
    public const int LengthBytes = 2;

    /// <summary>Bytes an item takes in a bundle, length prefix included.</summary>
    public static int ItemBytes(int payloadBytes) => LengthBytes + MediaFragment.SenderBytes + MediaFragment.HeaderBytes + payloadBytes;

    /// <summary>Writes one item (a whole payload as fragment 0 of 1); returns the bytes written.</summary>
    public static int Write(Span<byte> destination, uint sender, MediaKind kind, uint frame, ReadOnlySpan<byte> payload)
    {
        var item = ItemBytes(payload.Length);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(item - LengthBytes));
        BinaryPrimitives.WriteUInt32BigEndian(destination[LengthBytes..], sender);
        MediaFragment.Write(destination[(LengthBytes + MediaFragment.SenderBytes)..], kind, frame, 0, 1, payload);
        return item;
    }

    /// <summary>
    /// Takes the next item (<c>u32 sender, fragment</c>) off the front of <paramref name="rest"/>; false when what
    /// is left is not a whole item.
    /// </summary>
    public static bool TryNext(ref ReadOnlyMemory<byte> rest, out ReadOnlyMemory<byte> item)
    {
        item = default;
        if (rest.Length < LengthBytes)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(rest.Span);
        if (length == 0 || length > rest.Length - LengthBytes)
        {
            return false;
        }

        item = rest.Slice(LengthBytes, length);
        rest = rest[(LengthBytes + length)..];
        return true;
    }
}
