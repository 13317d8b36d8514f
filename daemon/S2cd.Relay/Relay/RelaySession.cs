using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// The members of one session on the relay. Members are kept in an array that is replaced on every
/// change, so forwarding reads it without a lock. Presence (welcome, joined, changed, left) is queued
/// under the session's lock, so every member sees one order of events: its welcome first, then each
/// change after the list the welcome gave.
/// </summary>
internal sealed class RelaySession(string name)
{
    private readonly Lock _lock = new();
    private RelayMember[] _members = [];
    private bool _removed;

    public string Name { get; } = name;

    public RelayMember[] Members => Volatile.Read(ref _members);

    /// <summary>
    /// Adds a member, unless the session is full or already removed from the relay. <paramref name="welcome"/>
    /// queues the member's welcome with the others present; it runs before anyone else can send the member
    /// a presence frame, so that none arrives ahead of the welcome (which replaces the member's list).
    /// </summary>
    public bool TryAdd(RelayMember member, int maxMembers, Action<RelayMember[]> welcome)
    {
        lock (_lock)
        {
            if (_removed || _members.Length >= maxMembers)
            {
                return false;
            }

            welcome(_members);
            _members = [.. _members, member];
            BroadcastLocked(member, PresenceEvent.Joined);
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
        lock (_lock)
        {
            BroadcastLocked(subject, ev);
        }
    }

    private void BroadcastLocked(RelayMember subject, PresenceEvent ev)
    {
        var wire = subject.ToWire();
        foreach (var member in _members)
        {
            if (member != subject)
            {
                member.Connection.SendControl((ev, wire), static (w, s) => FrameWriter.WritePresence(w, s.ev, s.wire));
            }
        }
    }
}
