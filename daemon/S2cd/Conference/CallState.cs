using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// The call's state machine: who we are in which session (<see cref="CallSettings"/>), where the link to the relay
/// stands (<see cref="LinkState"/>), and the members the relay told us of. Its lock guards these and nothing else;
/// each method changes or reads them in one step and returns what the caller acts on after the lock is released.
/// </summary>
internal sealed class CallState(string name)
{
    private readonly Lock _lock = new();
    private readonly Membership _membership = new();
    private CallSettings _call = new(name);
    private LinkState _link = LinkState.Idle;

    /// <summary>What a change of the member list leaves for the caller: the session and the members' names by id.</summary>
    public readonly record struct Members(string? Session, Dictionary<uint, string> Names);

    /// <summary>The call and the link, read at once.</summary>
    public CallSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new CallSnapshot(_call, _link, _membership.SelfId, _membership.Count);
        }
    }

    /// <summary>Changes who we are (mute, camera, name); returns the new settings, the link to tell when connected, and ourselves as a member.</summary>
    public (CallSettings Call, ITransportLink? Link, ParticipantInfo Self) Change(Func<CallSettings, CallSettings> change)
    {
        lock (_lock)
        {
            _call = change(_call);
            return (_call, _link.State == ConnectionState.Connected ? _link.Link : null, SelfLocked());
        }
    }

    /// <summary>A new stay in <paramref name="session"/> begins: no members yet, no reason.</summary>
    public void Begin(string session, string relay, string? name, byte[]? passphraseKey)
    {
        lock (_lock)
        {
            _call = _call with { Session = session, Relay = relay, Name = name ?? _call.Name, PassphraseKey = passphraseKey };
            _membership.Reset();
            _link = _link with { Reason = null };
        }
    }

    /// <summary>The stay ended: no session, no members, no link security.</summary>
    public void End()
    {
        lock (_lock)
        {
            _call = _call.Left();
            _membership.Reset();
            _link = _link with { Security = null };
        }
    }

    /// <summary>Moves the link's state; false when it was already there for the same reason.</summary>
    public bool SetState(ConnectionState state, string? reason)
    {
        lock (_lock)
        {
            if (_link.State == state && _link.Reason == reason)
            {
                return false;
            }

            _link = _link with { State = state, Reason = reason };
            return true;
        }
    }

    /// <summary>Puts <paramref name="link"/> in place and returns the one it replaces.</summary>
    public ITransportLink? SwapLink(ITransportLink? link)
    {
        lock (_lock)
        {
            var old = _link.Link;
            _link = _link with { Link = link };
            return old;
        }
    }

    public void Secured(LinkSecurity security)
    {
        lock (_lock)
        {
            _link = _link with { Security = security };
        }
    }

    public void Rejoined(double afterSeconds)
    {
        lock (_lock)
        {
            _call = _call with { RejoinedAfterSeconds = afterSeconds };
        }
    }

    /// <summary>The relay let us in as <paramref name="selfId"/>: the members present, and the call as it stands.</summary>
    public (IReadOnlyList<ParticipantInfo> Present, CallSettings Call, Members Members) Welcome(uint selfId, IReadOnlyList<WireMember> members)
    {
        lock (_lock)
        {
            var present = _membership.Welcome(selfId, members);
            return (present, _call, MembersLocked());
        }
    }

    /// <summary>A member came, went or changed; null when nothing changed.</summary>
    public (Membership.Change Change, Members Members)? Apply(PresenceEvent ev, WireMember member)
    {
        lock (_lock)
        {
            return _membership.Apply(ev, member) is { } change ? (change, MembersLocked()) : null;
        }
    }

    /// <summary>The connection dropped: every member goes.</summary>
    public (IReadOnlyList<ParticipantInfo> Gone, Members Members) ClearMembers()
    {
        lock (_lock)
        {
            return (_membership.Clear(), MembersLocked());
        }
    }

    public bool IsMember(uint id)
    {
        lock (_lock)
        {
            return _membership.Contains(id);
        }
    }

    public ParticipantInfo? Member(uint id)
    {
        lock (_lock)
        {
            return _membership.TryGet(id, out var info) ? info : null;
        }
    }

    /// <summary>The session, when <paramref name="name"/> is a member of it; throws as <c>volume</c> refuses otherwise.</summary>
    public string SessionWithMember(string name)
    {
        lock (_lock)
        {
            var session = _call.Session ?? throw new InvalidOperationException("not in a session: join one first");
            return _membership.Others.Any(m => m.Name == name) ? session : throw new ArgumentException($"nobody named '{name}' is in session {session}");
        }
    }

    /// <summary>The members as the core knows them, ourselves first while in a session or when <paramref name="previewing"/>.</summary>
    public (List<ParticipantInfo> List, string? Session) Participants(bool previewing)
    {
        lock (_lock)
        {
            var list = new List<ParticipantInfo>(_membership.Count + 1);
            if (_call.Session is not null || previewing)
            {
                list.Add(SelfLocked());
            }

            list.AddRange(_membership.Others);
            return (list, _call.Session);
        }
    }

    private Members MembersLocked() => new(_call.Session, _membership.Names());

    private ParticipantInfo SelfLocked() => new()
    {
        Id = _membership.SelfId,
        Name = _call.Name,
        IsSelf = true,
        Muted = _call.Muted,
        CameraOn = _call.CameraOn,
    };
}
