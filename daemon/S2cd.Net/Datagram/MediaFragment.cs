using System.Buffers.Binary;
using S2cd.Wire;

namespace S2cd.Datagram;

/// <summary>
/// A piece of a media payload in a datagram: <c>u8 kind, u32 frame, u8 index, u8 count, bytes</c>. Upstream the
/// plaintext is the fragment; downstream the relay puts <c>u32 sender-id</c> before it. Every fragment but a
/// frame's last carries exactly <see cref="ChunkBytes"/>, so a receiver places each where it belongs whatever
/// the order of arrival. Audio is one fragment.
/// </summary>
internal static class MediaFragment
{
    public const int HeaderBytes = 7;
    public const int SenderBytes = 4;

    /// <summary>Bytes of payload per fragment: what fits with the header and, downstream, the sender id.</summary>
    public const int ChunkBytes = DatagramKey.MaxPlaintextBytes - SenderBytes - HeaderBytes;

    public const int MaxCount = 255;

    /// <summary>The largest payload that can travel as datagrams.</summary>
    public const int MaxPayloadBytes = ChunkBytes * MaxCount;

    public static int Count(int payloadBytes) => Math.Max(1, (payloadBytes + ChunkBytes - 1) / ChunkBytes);

    /// <summary>The bytes of fragment <paramref name="index"/> of a payload.</summary>
    public static ReadOnlySpan<byte> Chunk(ReadOnlySpan<byte> payload, int index)
    {
        var start = index * ChunkBytes;
        return payload.Slice(start, Math.Min(ChunkBytes, payload.Length - start));
    }

    /// <summary>
    /// The fragments of <paramref name="payload"/> as frame <paramref name="frame"/>, one at a time, each written
    /// into <paramref name="buffer"/> (at least <see cref="HeaderBytes"/> + <see cref="ChunkBytes"/> bytes) and
    /// valid until the next: <c>foreach (var fragment in MediaFragment.Split(...)) send(fragment);</c>
    /// </summary>
    public static Fragments Split(ReadOnlySpan<byte> payload, MediaKind kind, uint frame, Span<byte> buffer) => new(payload, kind, frame, buffer);

    public static int Write(Span<byte> destination, MediaKind kind, uint frame, int index, int count, ReadOnlySpan<byte> chunk)
    {
        destination[0] = (byte)kind;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], frame);
        destination[5] = (byte)index;
        destination[6] = (byte)count;
        chunk.CopyTo(destination[HeaderBytes..]);
        return HeaderBytes + chunk.Length;
    }

    /// <summary>Reads a fragment; false when it is malformed (an unknown kind, an index past the count, a wrong size).</summary>
    public static bool TryRead(ReadOnlySpan<byte> fragment, out MediaKind kind, out uint frame, out int index, out int count, out ReadOnlySpan<byte> chunk)
    {
        kind = default;
        frame = 0;
        index = count = 0;
        chunk = default;
        if (fragment.Length < HeaderBytes + 1)
        {
            return false;
        }

        kind = (MediaKind)fragment[0];
        frame = BinaryPrimitives.ReadUInt32BigEndian(fragment[1..]);
        index = fragment[5];
        count = fragment[6];
        chunk = fragment[HeaderBytes..];
        return MediaKinds.TakesDatagrams(kind)
            && count >= 1 && index < count
            && chunk.Length <= ChunkBytes && (index == count - 1 || chunk.Length == ChunkBytes);
    }

    /// <summary>The fragments of one payload, written one after another into one buffer.</summary>
    public ref struct Fragments
    {
        private readonly ReadOnlySpan<byte> _payload;
        private readonly Span<byte> _buffer;
        private readonly MediaKind _kind;
        private readonly uint _frame;
        private readonly int _count;
        private int _index;
        private int _length;

        public Fragments(ReadOnlySpan<byte> payload, MediaKind kind, uint frame, Span<byte> buffer)
        {
            _payload = payload;
            _buffer = buffer;
            _kind = kind;
            _frame = frame;
            _count = Count(payload.Length);
            _index = -1;
        }

        public readonly ReadOnlySpan<byte> Current => _buffer[.._length];

        public readonly Fragments GetEnumerator() => this;

        public bool MoveNext()
        {
            if (++_index >= _count)
            {
                return false;
            }

            _length = Write(_buffer, _kind, _frame, _index, _count, Chunk(_payload, _index));
            return true;
        }
    }
}
