using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// Who else is in the session, as the relay says: a plain state machine over welcomes and presence, with no
/// sockets, keys or devices. It answers what changed; the caller acts on it (events, keys, pictures, audio).
/// Not thread-safe: the caller holds its lock.
/// </summary>
internal sealed class Membership
{
    private readonly Dictionary<uint, ParticipantInfo> _members = [];

    /// <summary>Our own member id in the session, 0 before the welcome.</summary>
    public uint SelfId { get; private set; }

    public int Count => _members.Count;

    /// <summary>The other members, by id.</summary>
    public IEnumerable<ParticipantInfo> Others => _members.Values.OrderBy(m => m.Id);

    public bool Contains(uint id) => _members.ContainsKey(id);

    /// <summary>The other members' names by id, copied (for the mixer's volumes).</summary>
    public Dictionary<uint, string> Names() => _members.ToDictionary(m => m.Key, m => m.Value.Name);

    public bool TryGet(uint id, out ParticipantInfo info) => _members.TryGetValue(id, out info!);

    /// <summary>The relay let us in as <paramref name="selfId"/> with <paramref name="members"/>: the list starts again from them.</summary>
    public IReadOnlyList<ParticipantInfo> Welcome(uint selfId, IReadOnlyList<WireMember> members)
    {
        SelfId = selfId;
        _members.Clear();
        var present = new List<ParticipantInfo>(members.Count);
        foreach (var member in members)
        {
            if (member.Id != selfId && IsAcceptable(member))
            {
                var info = ToInfo(member);
                _members[member.Id] = info;
                present.Add(info);
            }
        }

        return present;
    }

    /// <summary>
    /// Applies a presence event; null when it changes nothing (about ourselves, or a leave of someone not here).
    /// Throws <see cref="WireProtocolException"/> for a member whose name breaks the rules: the relay should never send one.
    /// </summary>
    public Change? Apply(PresenceEvent ev, WireMember member)
    {
        if (!IsAcceptable(member))
        {
            throw new WireProtocolException(WireError.InvalidName, "relay sent a member with an invalid name");
        }

        if (member.Id == SelfId)
        {
            return null;
        }

        var info = ToInfo(member);
        switch (ev)
        {
            case PresenceEvent.Left:
                return _members.Remove(member.Id, out var gone) ? new Change(ChangeKind.Left, gone) : null;
            case PresenceEvent.Joined:
                _members[member.Id] = info;
                return new Change(ChangeKind.Joined, info);
            default:
                var known = _members.ContainsKey(member.Id);
                _members[member.Id] = info;
                return new Change(known ? ChangeKind.Changed : ChangeKind.Appeared, info);
        }
    }

    /// <summary>Everyone is gone (the link dropped, or we left); returns who was there.</summary>
    public IReadOnlyList<ParticipantInfo> Clear()
    {
        List<ParticipantInfo> gone = [.. _members.Values];
        _members.Clear();
        return gone;
    }

    /// <summary>Out of the session: no members and no member id.</summary>
    public void Reset()
    {
        _members.Clear();
        SelfId = 0;
    }

    private static bool IsAcceptable(WireMember member) => NameRules.CheckDisplayName(member.Name) is null;

    private static ParticipantInfo ToInfo(WireMember member) => new()
    {
        Id = member.Id,
        Name = member.Name,
        IsSelf = false,
        Muted = member.Flags.HasFlag(MemberFlags.Muted),
        CameraOn = member.Flags.HasFlag(MemberFlags.CameraOn),
    };

    /// <summary>What a presence event did.</summary>
    internal enum ChangeKind
    {
        /// <summary>A member joined the session now (its keys must be renewed).</summary>
        Joined,

        /// <summary>A member left.</summary>
        Left,

        /// <summary>A member we knew changed its name or flags.</summary>
        Changed,

        /// <summary>A member we did not know showed up in a state update (it was there before us).</summary>
        Appeared,
    }

    /// <summary>A member and what happened to it.</summary>
    internal readonly record struct Change(ChangeKind Kind, ParticipantInfo Member);
}
