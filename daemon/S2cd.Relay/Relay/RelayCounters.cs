using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// What the relay has carried and dropped: counters the forwarding path keeps with one interlocked add, read by
/// <c>status</c> and the web front's metrics. Queues of connections that ended are added in when they end.
/// </summary>
internal sealed class RelayCounters
{
    private readonly long[] _forwardedMessages = new long[5];
    private readonly long[] _forwardedBytes = new long[5];
    private long _forwarded;
    private long _rateLimited;
    private long _textRefused;
    private long _queueDrops;
    private long _queueFull;
    private long _queueStale;

    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Media frames dropped because their sender went over its byte rate.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Chat messages dropped because they were too large or their sender sent too many.</summary>
    public long TextRefused => Interlocked.Read(ref _textRefused);

    /// <summary>What the queues of ended connections dropped: in all, because full, because stale.</summary>
    public (long All, long Full, long Stale) EndedQueues => (Interlocked.Read(ref _queueDrops), Interlocked.Read(ref _queueFull), Interlocked.Read(ref _queueStale));

    /// <summary>Media messages and bytes forwarded to receivers (one per receiver) of <paramref name="kind"/>.</summary>
    public (long Messages, long Bytes) ForwardedOf(MediaKind kind) =>
        (int)kind < _forwardedMessages.Length ? (Interlocked.Read(ref _forwardedMessages[(int)kind]), Interlocked.Read(ref _forwardedBytes[(int)kind])) : (0, 0);

    public void CountForwarded(MediaKind kind, int receivers, int bytes)
    {
        Interlocked.Add(ref _forwarded, receivers);
        if ((int)kind < _forwardedMessages.Length)
        {
            Interlocked.Add(ref _forwardedMessages[(int)kind], receivers);
            Interlocked.Add(ref _forwardedBytes[(int)kind], (long)receivers * bytes);
        }
    }

    public void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    public void CountTextRefused() => Interlocked.Increment(ref _textRefused);

    /// <summary>A connection ended: what its queue dropped stays counted.</summary>
    public void AddEndedQueue(long all, long full, long stale)
    {
        Interlocked.Add(ref _queueDrops, all);
        Interlocked.Add(ref _queueFull, full);
        Interlocked.Add(ref _queueStale, stale);
    }
}
