using System.Collections.Frozen;

namespace S2cd.Conference;

/// <summary>
/// Per-participant playback volumes, by display name, for the length of a session: a member who leaves and comes
/// back keeps theirs; another session starts at 100 %. The mixer reads a member's volume every 10 ms without a lock:
/// each change publishes a new frozen map from member id to percent.
/// </summary>
internal sealed class MemberVolumes
{
    public const int MaxPercent = 200;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private string? _session;
    private IReadOnlyDictionary<uint, string> _names = FrozenDictionary<uint, string>.Empty;
    private FrozenDictionary<uint, int> _byId = FrozenDictionary<uint, int>.Empty;

    /// <summary>The playback volume of member <paramref name="id"/> in percent: lock-free, for the mixer.</summary>
    public int Of(uint id) => Volatile.Read(ref _byId).TryGetValue(id, out var percent) ? percent : 100;

    /// <summary>The volume set for <paramref name="name"/> in <paramref name="session"/>, 100 when none was.</summary>
    public int Of(string? session, string name)
    {
        lock (_lock)
        {
            return _session == session && _byName.TryGetValue(name, out var percent) ? percent : 100;
        }
    }

    /// <summary>Plays <paramref name="name"/> at <paramref name="percent"/> in <paramref name="session"/>.</summary>
    public void Set(string session, string name, int percent)
    {
        if (percent is < 0 or > MaxPercent)
        {
            throw new ArgumentException($"volume must be 0 to {MaxPercent} percent, not {percent}");
        }

        lock (_lock)
        {
            SessionLocked(session);
            _byName[name] = percent;
            PublishLocked();
        }
    }

    /// <summary>The members of <paramref name="session"/> now (null: none), by id: the map the mixer reads follows them.</summary>
    public void Members(string? session, IReadOnlyDictionary<uint, string> names)
    {
        lock (_lock)
        {
            if (session is not null)
            {
                SessionLocked(session);
            }

            _names = names;
            PublishLocked();
        }
    }

    private void SessionLocked(string session)
    {
        if (_session != session)
        {
            _byName.Clear();
            _session = session;
        }
    }

    private void PublishLocked()
    {
        var byId = new Dictionary<uint, int>();
        foreach (var (id, name) in _names)
        {
            if (_byName.TryGetValue(name, out var percent))
            {
                byId[id] = percent;
            }
        }

        Volatile.Write(ref _byId, byId.ToFrozenDictionary());
    }
}
