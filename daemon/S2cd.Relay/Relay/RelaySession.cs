using System.Buffers;
using S2cd.Relay.Fabric;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// The members of one session on the relay, and, with a fabric, what it knows of the members on other relays.
/// Local members are kept in an array that is replaced on every change, so forwarding reads it without a lock.
/// Presence (welcome, joined, changed, left) is queued under the session's lock, so every member sees one order of
/// events: its welcome first (with everyone present here and on the other relays), then each change after it.
/// </summary>
internal sealed class RelaySession(string name, RelayContext? relay = null) : IFabricSessionEvents
{
    private readonly Lock _lock = new();
    private RelayMember[] _members = [];
    private bool _removed;
    private uint _remoteFrame;

    public string Name { get; } = name;

    public RelayMember[] Members => Volatile.Read(ref _members);

    /// <summary>The session on the relays' fabric, when the relay has one.</summary>
    public FabricSession? Fabric { get; set; }

    /// <summary>
    /// Adds a member, unless the session is full (here and on the other relays together) or already removed from
    /// the relay. <paramref name="welcome"/> queues the member's welcome with the others present; it runs before
    /// anyone else can send the member a presence frame, so that none arrives ahead of the welcome.
    /// </summary>
    public bool TryAdd(RelayMember member, int maxMembers, Action<WireMember[]> welcome)
    {
        lock (_lock)
        {
            var remote = Fabric?.RemoteMembers() ?? [];
            if (_removed || _members.Length + remote.Length >= maxMembers)
            {
                return false;
            }

            welcome([.. _members.Select(m => m.ToWire()), .. remote]);
            _members = [.. _members, member];
            BroadcastLocked(member, PresenceEvent.Joined);
            return true;
        }
    }

    /// <summary>Removes a member; returns true when the session is now empty here and was marked removed.</summary>
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

    /// <summary>Sends a presence frame about <paramref name="subject"/> to every other member, here and elsewhere.</summary>
    public void BroadcastPresence(RelayMember subject, PresenceEvent ev)
    {
        lock (_lock)
        {
            BroadcastLocked(subject, ev);
        }
    }

    /// <summary>An end-to-end signal to member <paramref name="target"/> here (0: every member here but <paramref name="except"/>).</summary>
    public void DeliverSignal(uint sender, uint target, ReadOnlySequence<byte> payload, RelayMember? except)
    {
        foreach (var member in Members)
        {
            if (member != except && (target == 0 || member.Id == target))
            {
                member.Connection.SendControl((sender, payload), static (w, s) => FrameWriter.WriteSignal(w, FrameType.SignalForward, s.sender, s.payload));
            }
        }
    }

    /// <summary>The members here, as the wire and the fabric name them.</summary>
    public WireMember[] LocalMembers() => [.. Members.Select(m => m.ToWire())];

    public void RemotePresence(PresenceEvent ev, WireMember member)
    {
        lock (_lock)
        {
            SendPresenceLocked(ev, member, except: null);
        }
    }

    public void RemoteMedia(uint sender, MediaKind kind, ReadOnlyMemory<byte> payload)
    {
        if (relay is not null)
        {
            RelayMember.Fanout(relay, Members, null, sender, kind, new ReadOnlySequence<byte>(payload), Interlocked.Increment(ref _remoteFrame));
        }
    }

    public void RemoteSignal(uint sender, uint target, ReadOnlyMemory<byte> payload) =>
        DeliverSignal(sender, target, new ReadOnlySequence<byte>(payload), except: null);

    public void StateAsked() => Fabric?.PublishState(LocalMembers());

    private void BroadcastLocked(RelayMember subject, PresenceEvent ev)
    {
        var wire = subject.ToWire();
        SendPresenceLocked(ev, wire, except: subject);
        Fabric?.PublishPresence(ev, wire);
    }

    /// <summary>A presence frame to every member here but <paramref name="except"/>, under the session's lock (one order for all).</summary>
    private void SendPresenceLocked(PresenceEvent ev, WireMember subject, RelayMember? except)
    {
        foreach (var member in _members)
        {
            if (member != except)
            {
                member.Connection.SendControl((ev, subject), static (w, s) => FrameWriter.WritePresence(w, s.ev, s.subject));
            }
        }
    }
}
