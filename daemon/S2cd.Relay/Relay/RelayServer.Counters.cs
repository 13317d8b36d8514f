using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// What the relay has carried and dropped, and how many it serves: counters the forwarding path keeps with one
/// interlocked add, read by <c>status</c> and the web front's metrics.
/// </summary>
internal sealed partial class RelayServer
{
    private readonly long[] _forwardedMessages = new long[3];
    private readonly long[] _forwardedBytes = new long[3];
    private long _forwarded;
    private long _rateLimited;
    private long _queueDrops;
    private long _queueFull;
    private long _queueStale;

    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Media frames dropped because their sender went over its byte rate.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Media frames dropped at receivers' queues: replaced video, stale audio, full queues (one walk of the members, with <see cref="QueueDropReasons"/>).</summary>
    public long QueueDrops
    {
        get
        {
            var (full, stale, replaced) = QueueDropReasons;
            return full + stale + replaced;
        }
    }

    /// <summary>Media messages and bytes forwarded to receivers (one per receiver) of <paramref name="kind"/>.</summary>
    public (long Messages, long Bytes) ForwardedOf(MediaKind kind) =>
        ((int)kind < _forwardedMessages.Length ? (Interlocked.Read(ref _forwardedMessages[(int)kind]), Interlocked.Read(ref _forwardedBytes[(int)kind])) : (0, 0));

    /// <summary>Media dropped at receivers' queues, by reason: the queue was full, the frame was too old, a newer video frame replaced it.</summary>
    public (long Full, long Stale, long Replaced) QueueDropReasons
    {
        get
        {
            long full = Interlocked.Read(ref _queueFull), stale = Interlocked.Read(ref _queueStale), all = Interlocked.Read(ref _queueDrops);
            lock (_sessionsLock)
            {
                foreach (var session in _sessions.Values)
                {
                    foreach (var member in session.Members)
                    {
                        var queue = member.Connection.Queue;
                        full += queue.FullDropped;
                        stale += queue.StaleDropped;
                        all += queue.Dropped;
                    }
                }
            }

            return (full, stale, Math.Max(0, all - full - stale));
        }
    }

    /// <summary>Members connected to this relay, in all its sessions.</summary>
    public int MemberCount
    {
        get
        {
            lock (_sessionsLock)
            {
                return _sessions.Values.Sum(s => s.Members.Length);
            }
        }
    }

    /// <summary>
    /// How many members session <paramref name="name"/> has now: here and, with a fabric, on the other relays its
    /// session hears of; 0 when nobody of it is on this relay (a relay follows a session only while it has a member in
    /// it). Nothing else about them: no names, no addresses.
    /// </summary>
    public int MembersOf(string name)
    {
        RelaySession? session;
        lock (_sessionsLock)
        {
            if (!_sessions.TryGetValue(name, out session))
            {
                return 0;
            }
        }

        return session.Members.Length + (session.Fabric?.RemoteMembers().Length ?? 0);
    }

    internal void CountForwarded(MediaKind kind, int receivers, int bytes)
    {
        Interlocked.Add(ref _forwarded, receivers);
        if ((int)kind < _forwardedMessages.Length)
        {
            Interlocked.Add(ref _forwardedMessages[(int)kind], receivers);
            Interlocked.Add(ref _forwardedBytes[(int)kind], (long)receivers * bytes);
        }
    }

    internal void CountRateLimited() => Interlocked.Increment(ref _rateLimited);
}
