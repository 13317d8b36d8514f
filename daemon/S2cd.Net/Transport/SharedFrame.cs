using System.Buffers;
using System.Collections.Concurrent;

namespace S2cd.Transport;

/// <summary>
/// One encoded wire frame in a pooled buffer, shared by every queue it is sent to. Reference counted:
/// each queue that takes it releases it once written or dropped, and the last release returns the buffer.
/// </summary>
internal sealed class SharedFrame : IBufferWriter<byte>
{
    private static readonly ConcurrentQueue<SharedFrame> Pool = new();
    private byte[] _buffer = [];
    private int _length;
    private int _references;

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public int Length => _length;

    /// <summary>Takes a frame from the pool with room for at least <paramref name="sizeHint"/> bytes and one reference.</summary>
    public static SharedFrame Rent(int sizeHint)
    {
        if (!Pool.TryDequeue(out var frame))
        {
            frame = new SharedFrame();
        }

        if (frame._buffer.Length < sizeHint)
        {
            if (frame._buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(frame._buffer);
            }

            frame._buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 256));
        }

        frame._length = 0;
        frame._references = 1;
        return frame;
    }

    /// <summary>Adds <paramref name="count"/> references, one for each further queue the frame goes to.</summary>
    public void AddReferences(int count) => Interlocked.Add(ref _references, count);

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            if (_buffer.Length > 64 * 1024)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }

            if (Pool.Count < 4096)
            {
                Pool.Enqueue(this);
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("frame released more often than referenced");
        }
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Grow(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Grow(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Grow(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length >= sizeHint)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(_length + sizeHint);
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }
}
