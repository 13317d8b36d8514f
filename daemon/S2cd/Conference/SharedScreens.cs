using System.Buffers;
using S2cd.Contract;
using S2cd.Transport;

namespace S2cd.Conference;

/// <summary>
/// Terminal screens shared in the call: the one this daemon shares (from one control connection at a time, checked
/// update by update) and the others', each kept as its sender's updates build it (<see cref="ScreenUpdate"/>). A
/// receiver that gets a diff it cannot apply (it came late, or missed one) asks the sharer for a full state with a
/// signal of its own kind, at most once a second; a sharer asked, or seeing a member join, sends a full state next.
/// A share not heard from for <see cref="Quiet"/> (its sender sends a keepalive every two seconds) is taken as gone.
/// </summary>
internal sealed class SharedScreens
{
    /// <summary>The first byte of the signal that asks a sharer for a full state.</summary>
    public const byte FullRequestSignal = 3;

    /// <summary>A share not heard from for this long is gone.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(10);

    /// <summary>The most updates a second one share sends.</summary>
    public const int UpdatesPerSecond = 30;

    private static readonly TimeSpan AskEvery = TimeSpan.FromSeconds(1);
    private readonly Action<uint, byte[]> _askFull;
    private readonly Action _changed;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, Received> _others = [];
    private readonly MessageWindow _ownRate;
    private ScreenGrid? _own;
    private object? _owner;
    private bool _fullWanted;
    private long _changes;

    /// <param name="askFull">Sends a signal to a member (the full-state request).</param>
    /// <param name="changed">Wakes the views: what is shown changed.</param>
    /// <param name="time">The clock of the keepalives and requests.</param>
    public SharedScreens(Action<uint, byte[]> askFull, Action changed, TimeProvider time)
    {
        _askFull = askFull;
        _changed = changed;
        _time = time;
        _ownRate = new MessageWindow(UpdatesPerSecond, TimeSpan.FromSeconds(1), time);
    }

    /// <summary>Counts every change of what is shown (a screen changed, came or went): what a view compares.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>The screen this daemon shares now, or null.</summary>
    public ScreenGrid? Own
    {
        get
        {
            lock (_lock)
            {
                return _own;
            }
        }
    }

    /// <summary>
    /// An update of our own share from <paramref name="owner"/> (a control connection). Returns whether it is to be
    /// sent, and whether the next should be a full state; throws <see cref="ArgumentException"/> for what is not an
    /// update, <see cref="InvalidOperationException"/> while another connection shares, and
    /// <see cref="RateLimitException"/> past <see cref="UpdatesPerSecond"/>.
    /// </summary>
    public (bool Send, bool FullWanted) Share(object owner, byte[] update)
    {
        var before = Changes;
        try
        {
            return ShareLocked(owner, update);
        }
        finally
        {
            Wake(before);
        }
    }

    private (bool Send, bool FullWanted) ShareLocked(object owner, byte[] update)
    {
        lock (_lock)
        {
            if (_owner is not null && _owner != owner)
            {
                throw new InvalidOperationException("this daemon already shares a terminal (from another s2c-attach): one share at a time");
            }

            if (!_ownRate.TryTake())
            {
                throw new RateLimitException($"at most {UpdatesPerSecond} screen updates a second");
            }

            var grid = _own;
            switch (ScreenUpdate.Apply(update, ref grid))
            {
                case ScreenUpdate.Result.Malformed:
                    throw new ArgumentException($"not a screen update (at most {ScreenGrid.MaxCols}×{ScreenGrid.MaxRows} cells, {ScreenUpdate.MaxBytes} bytes)");
                case ScreenUpdate.Result.NeedsFull:
                    return (false, true);
                case ScreenUpdate.Result.Ended:
                    var was = _owner is not null;
                    (_own, _owner) = (null, null);
                    Changed();
                    return (was, false);
            }

            var full = update[1] == (byte)ScreenUpdate.Flags.Full;
            var changed = _own is null || grid!.Sequence != _own.Sequence;
            (_own, _owner) = (grid, owner);
            _fullWanted &= !full;
            if (changed)
            {
                Changed();
            }

            return (true, _fullWanted);
        }
    }

    /// <summary>The connection <paramref name="owner"/> went: its share ends; true when there was one (the others are to be told).</summary>
    public bool Release(object owner)
    {
        lock (_lock)
        {
            if (_owner != owner || _owner is null)
            {
                return false;
            }

            (_own, _owner) = (null, null);
            Changed();
        }

        _changed();
        return true;
    }

    /// <summary>A member asked for a full state, or joined: the next update of our share is one.</summary>
    public void WantFull()
    {
        lock (_lock)
        {
            _fullWanted = _owner is not null;
        }
    }

    /// <summary>A Screen payload from member <paramref name="sender"/> (opened); valid only during the call.</summary>
    public void Receive(uint sender, ReadOnlySequence<byte> payload)
    {
        var before = Changes;
        var ask = false;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (!_others.TryGetValue(sender, out var received))
            {
                received = new Received { AskedAt = now - (long)(AskEvery.TotalSeconds * _time.TimestampFrequency) };
                _others[sender] = received;
            }

            var grid = received.Grid;
            switch (ScreenUpdate.Apply(payload.ToArray(), ref grid))
            {
                case ScreenUpdate.Result.Applied:
                    var changed = received.Grid is null || grid!.Sequence != received.Grid.Sequence;
                    received.Grid = grid;
                    received.HeardAt = now;
                    if (changed)
                    {
                        Changed();
                    }

                    break;
                case ScreenUpdate.Result.NeedsFull:
                    received.HeardAt = now;
                    ask = _time.GetElapsedTime(received.AskedAt, now) >= AskEvery;
                    received.AskedAt = ask ? now : received.AskedAt;
                    break;
                case ScreenUpdate.Result.Ended:
                    _others.Remove(sender);
                    Changed();
                    break;
            }
        }

        Wake(before);
        if (ask)
        {
            _askFull(sender, [FullRequestSignal]);
        }
    }

    /// <summary>What <paramref name="member"/> shares now (null: nothing, or not heard from for <see cref="Quiet"/>).</summary>
    public ScreenGrid? Of(uint member)
    {
        lock (_lock)
        {
            return _others.TryGetValue(member, out var received) && received.Grid is { } grid && _time.GetElapsedTime(received.HeardAt) < Quiet ? grid : null;
        }
    }

    /// <summary>A member left: its screen goes.</summary>
    public void Remove(uint member)
    {
        var before = Changes;
        lock (_lock)
        {
            if (_others.Remove(member))
            {
                Changed();
            }
        }

        Wake(before);
    }

    /// <summary>The call ended or the link dropped: the others' screens go (ours stays with its connection).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _others.Clear();
            Changed();
        }

        _changed();
    }

    // Counted under the lock; the views are woken by Wake after it (never from inside it).
    private void Changed() => Interlocked.Increment(ref _changes);

    private void Wake(long before)
    {
        if (Changes != before)
        {
            _changed();
        }
    }

    private sealed class Received
    {
        public ScreenGrid? Grid { get; set; }

        public long HeardAt { get; set; }

        public long AskedAt { get; set; }
    }
}
