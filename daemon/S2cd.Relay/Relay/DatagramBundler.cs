using S2cd.Datagram;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// What one receive loop owes members on datagrams while it works through a batch: each receiver's frames of one
/// fragment (all audio, small video) are gathered and go out together when the batch is done, as many to a
/// datagram as fit (a MediaBundle: <c>u16 length, u32 sender, fragment</c> each), sealed once. Under load a batch
/// holds the frames of several senders of a session, so a receiver gets one datagram where it got several; a lone
/// frame goes as a plain media datagram, with nothing added to its delay. One thread at a time (its loop's).
/// </summary>
internal sealed class DatagramBundler<TReceiver>(Action<TReceiver, DatagramType, ReadOnlySpan<byte>> send)
    where TReceiver : notnull
{
    private readonly Dictionary<TReceiver, Pending> _pending = [];
    private readonly Stack<Pending> _spare = [];

    /// <summary>Items bundled so far and datagrams that carried them (for the benchmark's figures).</summary>
    public long Items { get; private set; }

    public long Datagrams { get; private set; }

    /// <summary>
    /// Takes a frame of one fragment for <paramref name="receiver"/>; false when the payload does not fit in a
    /// bundle (the caller sends it at once, as fragments).
    /// </summary>
    public bool TryAdd(TReceiver receiver, uint sender, MediaKind kind, uint frame, ReadOnlySpan<byte> payload)
    {
        var item = MediaBundle.ItemBytes(payload.Length);
        if (item > DatagramKey.MaxPlaintextBytes)
        {
            return false;
        }

        if (!_pending.TryGetValue(receiver, out var pending))
        {
            pending = _spare.Count > 0 ? _spare.Pop() : new Pending();
            _pending.Add(receiver, pending);
        }

        if (pending.Used + item > DatagramKey.MaxPlaintextBytes)
        {
            Flush(receiver, pending);
        }

        pending.Used += MediaBundle.Write(pending.Buffer.AsSpan(pending.Used), sender, kind, frame, payload);
        pending.Count++;
        Items++;
        return true;
    }

    /// <summary>The batch is done: everything gathered goes out.</summary>
    public void FlushAll()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        foreach (var (receiver, pending) in _pending)
        {
            Flush(receiver, pending);
            _spare.Push(pending);
        }

        _pending.Clear();
    }

    private void Flush(TReceiver receiver, Pending pending)
    {
        if (pending.Count == 1)
        {
            send(receiver, DatagramType.Media, pending.Buffer.AsSpan(MediaBundle.LengthBytes, pending.Used - MediaBundle.LengthBytes));
        }
        else if (pending.Count > 1)
        {
            send(receiver, DatagramType.MediaBundle, pending.Buffer.AsSpan(0, pending.Used));
        }

        Datagrams += pending.Count > 0 ? 1 : 0;
        pending.Used = 0;
        pending.Count = 0;
    }

    private sealed class Pending
    {
        public byte[] Buffer { get; } = new byte[DatagramKey.MaxPlaintextBytes];

        public int Used { get; set; }

        public int Count { get; set; }
    }
}
