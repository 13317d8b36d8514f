using S2cd.Wire;

namespace S2cd.Datagram;

/// <summary>
/// Puts fragmented media back together, per sender and kind. A payload of one fragment (audio, a small picture)
/// is whole as it comes, in whatever order it arrives (the jitter buffer orders audio). Of larger ones only the
/// newest frame is ever being built: a fragment of a newer frame drops the unfinished one (latest wins, nothing
/// is waited for), and fragments of older frames are dropped. Not thread-safe: one receive loop.
/// </summary>
internal sealed class Reassembler
{
    private readonly Dictionary<(uint Sender, MediaKind Kind), Partial> _partials = [];

    /// <summary>Frames dropped unfinished because a newer one began, or fragments that came too late or did not fit.</summary>
    public long Dropped { get; private set; }

    /// <summary>
    /// Adds a fragment; true when it completes its frame, whose payload is then <paramref name="whole"/>: the chunk
    /// itself for a one-fragment payload, else valid until the next call for the same sender and kind.
    /// </summary>
    public bool TryAdd(uint sender, MediaKind kind, uint frame, int index, int count, ReadOnlyMemory<byte> chunk, out ReadOnlyMemory<byte> whole)
    {
        if (count == 1)
        {
            whole = chunk;
            return true;
        }

        whole = default;
        if (!_partials.TryGetValue((sender, kind), out var partial))
        {
            partial = new Partial();
            _partials[(sender, kind)] = partial;
        }

        if (!partial.Started || (int)(frame - partial.Frame) > 0)
        {
            if (partial.Started && !partial.Done)
            {
                Dropped++;
            }

            partial.Begin(frame, count);
        }
        else if (frame != partial.Frame || partial.Done || count != partial.Count)
        {
            Dropped++;
            return false;
        }

        if (!partial.Put(index, chunk.Span))
        {
            return false;
        }

        if (!partial.Done)
        {
            return false;
        }

        whole = partial.Payload;
        return true;
    }

    /// <summary>Forgets a sender (it left).</summary>
    public void Remove(uint sender)
    {
        _partials.Remove((sender, MediaKind.Video));
        _partials.Remove((sender, MediaKind.Audio));
    }

    private sealed class Partial
    {
        private readonly ulong[] _have = new ulong[4];
        private byte[] _buffer = [];
        private int _received;
        private int _length;

        public bool Started { get; private set; }

        public bool Done { get; private set; }

        public uint Frame { get; private set; }

        public int Count { get; private set; }

        public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, _length);

        public void Begin(uint frame, int count)
        {
            Started = true;
            Done = false;
            Frame = frame;
            Count = count;
            _received = 0;
            _length = 0;
            Array.Clear(_have);
            var capacity = count * MediaFragment.ChunkBytes;
            if (_buffer.Length < capacity)
            {
                _buffer = new byte[capacity];
            }
        }

        public bool Put(int index, ReadOnlySpan<byte> chunk)
        {
            var bit = 1UL << (index % 64);
            if ((_have[index / 64] & bit) != 0)
            {
                return false;
            }

            _have[index / 64] |= bit;
            chunk.CopyTo(_buffer.AsSpan(index * MediaFragment.ChunkBytes));
            if (index == Count - 1)
            {
                _length = (index * MediaFragment.ChunkBytes) + chunk.Length;
            }

            Done = ++_received == Count;
            return true;
        }
    }
}
