using S2cd.Wire;

namespace S2cd.Transport;

/// <summary>
/// The bounded queue of frames waiting to be written to one connection. Its rules keep a slow receiver
/// from building a backlog, and give way with video before audio: a newer video frame from a sender replaces
/// that sender's unsent one (latest wins), video that has waited <see cref="VideoMaxAge"/> and audio older than
/// <see cref="AudioMaxAge"/> are dropped when they reach the front, audio and text (a chat message, which never
/// goes stale) that find the queue full take the place of the oldest queued video, and other media that finds it
/// full is dropped. Control frames are never
/// dropped; when they cannot be queued the connection is too slow and <see cref="TryEnqueueControl"/> says so.
/// Heartbeats go to the front (<see cref="TryEnqueueUrgent"/>), so that a link busy with media is not taken
/// for dead.
/// </summary>
internal sealed class OutboundQueue
{
    private readonly Lock _lock = new();
    private readonly Entry[] _ring;
    private readonly Dictionary<uint, long> _pendingVideo = [];
    private long _head = 1L << 40; // Far from 0, so that a heartbeat can always go in before the head.
    private long _tail = 1L << 40;
    private bool _closed;

    public OutboundQueue(int capacity, TimeSpan audioMaxAge)
    {
        _ring = new Entry[capacity];
        AudioMaxAge = audioMaxAge;
    }

    public TimeSpan AudioMaxAge { get; }

    /// <summary>Video waiting longer than this says the receiver's link cannot carry it: it is dropped for the audio.</summary>
    public TimeSpan VideoMaxAge => 3 * AudioMaxAge;

    /// <summary>Media frames dropped at this queue: replaced video, stale audio, or a full queue.</summary>
    public long Dropped { get; private set; }

    public long AudioDropped { get; private set; }

    /// <summary>Media dropped because the queue was full (the rest of <see cref="Dropped"/>: too old, or video replaced).</summary>
    public long FullDropped { get; private set; }

    /// <summary>Media dropped because it waited longer than its age limit.</summary>
    public long StaleDropped { get; private set; }

    /// <summary>Video dropped for space or age (a video frame replaced by its sender's newer one is not counted here).</summary>
    public long VideoDropped { get; private set; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return (int)(_tail - _head);
            }
        }
    }

    /// <summary>Queues a control frame. Returns false, releasing the frame, when the queue is full or closed.</summary>
    public bool TryEnqueueControl(SharedFrame frame)
    {
        lock (_lock)
        {
            if (_closed || _tail - _head == _ring.Length)
            {
                frame.Release();
                return false;
            }

            _ring[_tail++ % _ring.Length] = new Entry(frame, 0, 0, 0);
            return true;
        }
    }

    /// <summary>
    /// Queues a control frame to be written before everything else waiting (a heartbeat: it carries no order with
    /// anything). Returns false, releasing the frame, when the queue is full or closed.
    /// </summary>
    public bool TryEnqueueUrgent(SharedFrame frame)
    {
        lock (_lock)
        {
            if (_closed || _tail - _head == _ring.Length)
            {
                frame.Release();
                return false;
            }

            _ring[--_head % _ring.Length] = new Entry(frame, 0, 0, 0);
            return true;
        }
    }

    /// <summary>Queues a media frame under the media rules. Takes over one reference of the frame in every case.</summary>
    public void EnqueueMedia(SharedFrame frame, MediaKind kind, uint sender, long timestamp)
    {
        SharedFrame? replaced = null;
        lock (_lock)
        {
            if (_closed)
            {
                replaced = frame;
            }
            else if (kind == MediaKind.Video && _pendingVideo.TryGetValue(sender, out var seq) && seq >= _head)
            {
                ref var slot = ref _ring[seq % _ring.Length];
                replaced = slot.Frame;
                slot = new Entry(frame, kind, sender, timestamp);
                Dropped++;
            }
            else if (_tail - _head == _ring.Length && kind != MediaKind.Video && EvictOldestVideo() is { } evicted)
            {
                replaced = evicted;
                _ring[_tail++ % _ring.Length] = new Entry(frame, kind, sender, timestamp);
            }
            else if (_tail - _head == _ring.Length)
            {
                replaced = frame;
                Dropped++;
                FullDropped++;
                if (kind == MediaKind.Audio)
                {
                    AudioDropped++;
                }
                else if (kind == MediaKind.Video)
                {
                    VideoDropped++;
                }
            }
            else
            {
                if (kind == MediaKind.Video)
                {
                    _pendingVideo[sender] = _tail;
                }

                _ring[_tail++ % _ring.Length] = new Entry(frame, kind, sender, timestamp);
            }
        }

        replaced?.Release();
    }

    /// <summary>
    /// Moves queued frames into <paramref name="batch"/>, up to about <paramref name="maxBytes"/>, leaving out
    /// audio that has waited too long. The caller releases every frame it gets.
    /// </summary>
    public void Drain(List<SharedFrame> batch, int maxBytes, long now, TimeProvider time)
    {
        List<SharedFrame>? stale = null;
        lock (_lock)
        {
            var bytes = 0;
            while (_head < _tail && (bytes == 0 || bytes < maxBytes))
            {
                ref var slot = ref _ring[_head % _ring.Length];
                var entry = slot;
                slot = default;
                if (entry.Kind == MediaKind.Video && _pendingVideo.TryGetValue(entry.Sender, out var seq) && seq == _head)
                {
                    _pendingVideo.Remove(entry.Sender);
                }

                _head++;
                if (entry.Kind == MediaKind.Audio && time.GetElapsedTime(entry.Timestamp, now) > AudioMaxAge)
                {
                    (stale ??= []).Add(entry.Frame);
                    Dropped++;
                    StaleDropped++;
                    AudioDropped++;
                    continue;
                }

                if (entry.Kind == MediaKind.Video && time.GetElapsedTime(entry.Timestamp, now) > VideoMaxAge)
                {
                    (stale ??= []).Add(entry.Frame);
                    Dropped++;
                    StaleDropped++;
                    VideoDropped++;
                    continue;
                }

                batch.Add(entry.Frame);
                bytes += entry.Frame.Length;
            }
        }

        if (stale is not null)
        {
            foreach (var frame in stale)
            {
                frame.Release();
            }
        }
    }

    /// <summary>Refuses further frames and releases the queued ones.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            while (_head < _tail)
            {
                ref var slot = ref _ring[_head++ % _ring.Length];
                slot.Frame.Release();
                slot = default;
            }

            _pendingVideo.Clear();
        }
    }

    /// <summary>
    /// Takes the oldest queued video frame out (the entries before it move up one place) and returns it for
    /// release; null when no video is queued. Under the lock, with the queue full.
    /// </summary>
    private SharedFrame? EvictOldestVideo()
    {
        for (var at = _head; at < _tail; at++)
        {
            var entry = _ring[at % _ring.Length];
            if (entry.Kind != MediaKind.Video)
            {
                continue;
            }

            for (var i = at; i > _head; i--)
            {
                _ring[i % _ring.Length] = _ring[(i - 1) % _ring.Length];
                if (_ring[i % _ring.Length].Kind == MediaKind.Video)
                {
                    _pendingVideo[_ring[i % _ring.Length].Sender] = i;
                }
            }

            _ring[_head % _ring.Length] = default;
            _head++;
            if (_pendingVideo.TryGetValue(entry.Sender, out var seq) && seq == at)
            {
                _pendingVideo.Remove(entry.Sender);
            }

            Dropped++;
            FullDropped++;
            VideoDropped++;
            return entry.Frame;
        }

        return null;
    }

    private readonly record struct Entry(SharedFrame Frame, MediaKind Kind, uint Sender, long Timestamp);
}
