using System.Buffers;
using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Relay.Fabric;

/// <summary>
/// One session as seen through the fabric from this relay: what it publishes of its own members (presence, a full
/// list every second, media, end-to-end signals) and what it learns of the members on other relays. A relay that
/// goes silent for <see cref="NodeTimeout"/> (killed, cut off) has its members taken out of the session. One
/// subject per session; every message is sealed (<see cref="FabricSeal"/>) and names the relay it comes from.
/// </summary>
internal sealed class FabricSession : IDisposable
{
    /// <summary>A relay heard from less recently than this is gone, and its members with it.</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private readonly FabricSeal _seal;
    private readonly ulong _node;
    private readonly Action<string, byte[]> _publish;
    private readonly IFabricSessionEvents _events;
    private readonly TimeProvider _time;
    private readonly Dictionary<uint, (ulong Node, WireMember Member)> _remote = [];
    private readonly Dictionary<ulong, long> _heard = [];

    public FabricSession(byte[] fabricKey, string name, ulong node, Action<string, byte[]> publish, IFabricSessionEvents events, TimeProvider time)
    {
        _seal = new FabricSeal(fabricKey, NameRules.SessionKey(name));
        _node = node;
        _publish = publish;
        _events = events;
        _time = time;
    }

    /// <summary>The subject the session's messages travel on (a keyed hash, not the name).</summary>
    public string Subject => _seal.Subject;

    /// <summary>The members on other relays now.</summary>
    public WireMember[] RemoteMembers()
    {
        lock (_lock)
        {
            return [.. _remote.Values.Select(r => r.Member)];
        }
    }

    public bool IsRemote(uint id)
    {
        lock (_lock)
        {
            return _remote.ContainsKey(id);
        }
    }

    public void PublishPresence(PresenceEvent ev, WireMember member) => Publish(FabricMessages.Presence(_node, ev, member));

    /// <summary>This relay's members of the session, in full: a heartbeat, and the answer to a newcomer's query.</summary>
    public void PublishState(WireMember[] local) => Publish(FabricMessages.State(_node, local));

    /// <summary>Asks the other relays for their members (a relay that just took the session's first local member).</summary>
    public void PublishQuery() => Publish(FabricMessages.Query(_node));

    /// <summary>A local member's media, once for all other relays: the hot path, so written into a rented buffer.</summary>
    public void PublishMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        var plain = ArrayPool<byte>.Shared.Rent(FabricMessages.MediaHeaderBytes + (int)payload.Length);
        try
        {
            var length = FabricMessages.WriteMedia(plain, _node, sender, kind, payload);
            _publish(Subject, _seal.Seal(plain.AsSpan(0, length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    public void PublishSignal(uint sender, uint target, ReadOnlySequence<byte> payload) => Publish(FabricMessages.Signal(_node, sender, target, payload));

    /// <summary>A message from the fabric; false when it does not open or does not parse (dropped and counted by the caller).</summary>
    public bool OnMessage(ReadOnlySpan<byte> sealed_)
    {
        if (_seal.Open(sealed_) is not { } plain || !FabricMessages.TryReadHeader(plain, out var type, out var node))
        {
            return false;
        }

        if (node == _node)
        {
            return true;
        }

        lock (_lock)
        {
            _heard[node] = _time.GetTimestamp();
        }

        var body = plain.AsSpan(FabricMessages.HeaderBytes);
        switch (type)
        {
            case FabricMessage.Presence when FabricMessages.TryReadPresence(body, out var ev, out var member) && Acceptable(member):
                OnPresence(node, ev, member);
                return true;
            case FabricMessage.State when FabricMessages.TryReadState(body, out var members) && members.All(Acceptable):
                OnState(node, members);
                return true;
            case FabricMessage.Query when FabricMessages.TryReadQuery(body):
                _events.StateAsked();
                return true;
            case FabricMessage.Media when FabricMessages.TryReadMedia(body, out var sender, out var kind):
                _events.RemoteMedia(sender, kind, plain.AsMemory(FabricMessages.MediaHeaderBytes));
                return true;
            case FabricMessage.Signal when FabricMessages.TryReadSignal(body, out var from, out var target):
                _events.RemoteSignal(from, target, plain.AsMemory(FabricMessages.SignalHeaderBytes));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Takes out the members of relays not heard from within <see cref="NodeTimeout"/>.</summary>
    public void Expire()
    {
        List<WireMember> gone = [];
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            foreach (var (node, at) in _heard.Where(h => _time.GetElapsedTime(h.Value, now) > NodeTimeout).ToList())
            {
                _heard.Remove(node);
                foreach (var (id, remote) in _remote.Where(r => r.Value.Node == node).ToList())
                {
                    _remote.Remove(id);
                    gone.Add(remote.Member);
                }
            }
        }

        foreach (var member in gone)
        {
            _events.RemotePresence(PresenceEvent.Left, member);
        }
    }

    public void Dispose() => _seal.Dispose();

    private void OnPresence(ulong node, PresenceEvent ev, WireMember member)
    {
        lock (_lock)
        {
            if (ev == PresenceEvent.Left)
            {
                if (!_remote.Remove(member.Id))
                {
                    return;
                }
            }
            else
            {
                var known = _remote.ContainsKey(member.Id);
                _remote[member.Id] = (node, member);
                ev = known ? PresenceEvent.Changed : PresenceEvent.Joined;
            }
        }

        _events.RemotePresence(ev, member);
    }

    /// <summary>A relay's full list: members it no longer has left, new ones joined, changed ones changed.</summary>
    private void OnState(ulong node, WireMember[] members)
    {
        List<(PresenceEvent, WireMember)> changes = [];
        lock (_lock)
        {
            var listed = members.Select(m => m.Id).ToHashSet();
            foreach (var (id, remote) in _remote.Where(r => r.Value.Node == node && !listed.Contains(r.Key)).ToList())
            {
                _remote.Remove(id);
                changes.Add((PresenceEvent.Left, remote.Member));
            }

            foreach (var member in members)
            {
                if (!_remote.TryGetValue(member.Id, out var known))
                {
                    changes.Add((PresenceEvent.Joined, member));
                }
                else if (known.Member != member)
                {
                    changes.Add((PresenceEvent.Changed, member));
                }

                _remote[member.Id] = (node, member);
            }
        }

        foreach (var (ev, member) in changes)
        {
            _events.RemotePresence(ev, member);
        }
    }

    private void Publish(byte[] plain) => _publish(Subject, _seal.Seal(plain));

    /// <summary>A member from another relay passes the checks this relay makes of its own (a name a daemon may show).</summary>
    private static bool Acceptable(WireMember member) => member.Id != 0 && NameRules.CheckDisplayName(member.Name) is null;
}

/// <summary>What a session learns from the fabric, handed to the relay's session.</summary>
internal interface IFabricSessionEvents
{
    void RemotePresence(PresenceEvent ev, WireMember member);

    void RemoteMedia(uint sender, MediaKind kind, ReadOnlyMemory<byte> payload);

    void RemoteSignal(uint sender, uint target, ReadOnlyMemory<byte> payload);

    /// <summary>Another relay asks for the members here.</summary>
    void StateAsked();
}
