using S2cd.Platform;

namespace S2cd.Video;

/// <summary>
/// The latest picture of every participant (and our own, mirrored), plus a version that moves on every
/// change that a view shows: a new picture, or a change of names, marks or link state. Views wait on
/// the version, so they redraw when something arrives instead of on a timer, and a slow view simply
/// renders the newest state when it is ready: no backlog.
/// </summary>
internal sealed class PictureStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, Received> _pictures = [];
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Received _self = new();
    private long _version;

    public PictureStore(TimeProvider time) => _time = time;

    public long Version => Interlocked.Read(ref _version);

    public Picture? Self
    {
        get
        {
            lock (_lock)
            {
                return _self.Picture;
            }
        }
    }

    /// <summary>Pictures per second of our own camera; zero when it has stopped.</summary>
    public double SelfFps
    {
        get
        {
            lock (_lock)
            {
                return _self.Picture is null ? 0 : _self.Fps(_time.GetTimestamp(), _time.TimestampFrequency);
            }
        }
    }

    public void SetSelf(Picture? picture)
    {
        lock (_lock)
        {
            _self.Picture = picture;
            if (picture is not null)
            {
                _self.Count(_time.GetTimestamp());
            }
        }

        Touch();
    }

    public void Set(uint member, Picture picture)
    {
        lock (_lock)
        {
            if (!_pictures.TryGetValue(member, out var received))
            {
                received = new Received();
                _pictures[member] = received;
            }

            received.Picture = picture;
            received.Count(_time.GetTimestamp());
            received.DelayMicroseconds = UnixTime.Microseconds(_time) - picture.CapturedAt;
            if (received.LastSequence != 0 && picture.Sequence > received.LastSequence + 1)
            {
                received.Lost += picture.Sequence - received.LastSequence - 1;
            }

            received.LastSequence = picture.Sequence;
        }

        Touch();
    }

    /// <summary>
    /// A member's latest picture, pictures per second, delay of the last one, and pictures lost: sequence numbers
    /// skipped between the pictures that arrived (dropped by a loaded relay, the network, or as undecodable).
    /// </summary>
    public (Picture? Picture, double Fps, double DelayMs, long Lost) Get(uint member)
    {
        lock (_lock)
        {
            return _pictures.TryGetValue(member, out var r)
                ? (r.Picture, r.Fps(_time.GetTimestamp(), _time.TimestampFrequency), r.DelayMicroseconds / 1000.0, r.Lost)
                : (null, 0, 0, 0);
        }
    }

    /// <summary>Pictures lost from all members now in the session.</summary>
    public long TotalLost()
    {
        lock (_lock)
        {
            return _pictures.Values.Sum(r => r.Lost);
        }
    }

    public void Remove(uint member)
    {
        lock (_lock)
        {
            _pictures.Remove(member);
        }

        Touch();
    }

    public void Clear()
    {
        lock (_lock)
        {
            _pictures.Clear();
        }

        Touch();
    }

    /// <summary>Marks a change that views show (presence, link state).</summary>
    public void Touch()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _version++;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Completes when the version differs from <paramref name="seen"/>, or when the timeout passes.</summary>
    public async Task WaitForChangeAsync(long seen, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            if (_version != seen)
            {
                return;
            }

            changed = _changed.Task;
        }

        try
        {
            await changed.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private sealed class Received
    {
        private readonly RateMeter _rate = new();

        public Picture? Picture { get; set; }

        public long DelayMicroseconds { get; set; }

        public uint LastSequence { get; set; }

        public long Lost { get; set; }

        public void Count(long now) => _rate.Mark(now);

        /// <summary>Pictures per second over the last arrivals; zero when the sender has stopped for over two seconds.</summary>
        public double Fps(long now, long frequency) => _rate.PerSecond(now, frequency);
    }
}
