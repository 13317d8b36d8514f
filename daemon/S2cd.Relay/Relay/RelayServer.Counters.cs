using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// What the relay has carried and dropped (<see cref="RelayCounters"/>, with what live queues dropped), and how many it
/// serves, read by <c>status</c> and the web front's metrics.
/// </summary>
internal sealed partial class RelayServer
{
    public long Forwarded => Counters.Forwarded;

    /// <summary>Media frames dropped because their sender went over its byte rate.</summary>
    public long RateLimited => Counters.RateLimited;

    /// <summary>Media frames dropped at receivers' queues: replaced video, stale audio, full queues.</summary>
    public long QueueDrops
    {
        get
        {
            var (full, stale, replaced) = QueueDropReasons;
            return full + stale + replaced;
        }
    }

    /// <summary>Media dropped at receivers' queues, by reason: the queue was full, the frame was too old, a newer video frame replaced it.</summary>
    public (long Full, long Stale, long Replaced) QueueDropReasons
    {
        get
        {
            var (all, full, stale) = Counters.EndedQueues;
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
}
