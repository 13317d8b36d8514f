using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// The members of one session on the relay. Members are kept in an array that is replaced on every
/// change, so forwarding reads it without a lock.
/// </summary>
internal sealed class RelaySession(string name)
{
    private readonly Lock _lock = new();
    private RelayMember[] _members = [];
    private bool _removed;

    public string Name { get; } = name;

    public RelayMember[] Members => Volatile.Read(ref _members);

    /// <summary>Adds a member, unless the session is full or already removed from the relay.</summary>
    public bool TryAdd(RelayMember member, int maxMembers, out RelayMember[] others)
    {
        lock (_lock)
        {
            others = _members;
            if (_removed || _members.Length >= maxMembers)
            {
                return false;
            }

            _members = [.. _members, member];
            return true;
        }
    }

    /// <summary>Removes a member; returns true when the session is now empty and was marked removed.</summary>
    public bool Remove(RelayMember member)
    {
        lock (_lock)
        {
            _members = Array.FindAll(_members, m => m != member);
            if (_members.Length == 0)
            {
                _removed = true;
                return true;
            }

            return false;
        }
    }

    /// <summary>Sends a presence frame about <paramref name="subject"/> to every other member.</summary>
    public void BroadcastPresence(RelayMember subject, PresenceEvent ev)
    {
        var members = Members;
        var wire = subject.ToWire();
        foreach (var member in members)
        {
            if (member != subject)
            {
                member.Connection.SendControl((ev, wire), static (w, s) => FrameWriter.WritePresence(w, s.ev, s.wire));
            }
        }
    }
}
