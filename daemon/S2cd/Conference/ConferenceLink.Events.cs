using System.Buffers;
using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>What the transport reports, applied to the call: members under the lock; keys, media and events after it.</summary>
internal sealed partial class ConferenceLink
{
    private void OnWelcome(uint selfId, IReadOnlyList<WireMember> members)
    {
        IReadOnlyList<ParticipantInfo> present;
        CallSettings call;
        Dictionary<uint, string> names;
        lock (_lock)
        {
            present = _membership.Welcome(selfId, members);
            call = _call;
            names = _membership.Names();
        }

        _media.Volumes.Members(call.Session, names);
        var e2e = _trust.Begin(call.Session!, selfId, call.PassphraseKey, SendSignal, OnMemberTrustChanged);
        foreach (var info in present)
        {
            e2e?.MemberPresent(info.Id, newlyJoined: false);
        }

        e2e?.AnnounceToAll();
        SetState(ConnectionState.Connected, null);
        _memory.Remember();
        var link = Read(c => c.Link.Link);
        LogJoined(call.Session ?? "?", link?.Relay ?? call.Relay ?? "?", members.Count + 1);
        foreach (var info in present)
        {
            Publish(ControlEventKind.ParticipantJoined, info);
        }
    }

    private void OnPresence(PresenceEvent ev, WireMember member)
    {
        Membership.Change change;
        string? session;
        Dictionary<uint, string> names;
        lock (_lock)
        {
            if (_membership.Apply(ev, member) is not { } applied)
            {
                return;
            }

            change = applied;
            session = _call.Session;
            names = _membership.Names();
        }

        _media.Volumes.Members(session, names);
        var id = change.Member.Id;
        var e2e = _trust.Current;
        switch (change.Kind)
        {
            case Membership.ChangeKind.Left:
                _media.Remove(id);
                e2e?.MemberLeft(id);
                break;
            case Membership.ChangeKind.Joined:
                e2e?.MemberPresent(id, newlyJoined: true);
                break;
            default:
                e2e?.MemberPresent(id, newlyJoined: false);
                if (change.Member.Muted)
                {
                    // Silence a member the moment it mutes, rather than playing out what is still buffered.
                    _media.Audio.Remove(id);
                }

                break;
        }

        Publish(
            change.Kind switch
            {
                Membership.ChangeKind.Left => ControlEventKind.ParticipantLeft,
                Membership.ChangeKind.Changed => ControlEventKind.ParticipantChanged,
                _ => ControlEventKind.ParticipantJoined,
            },
            change.Member);
    }

    /// <summary>A member's media: opened and handed to the sinks; from anyone not (or no longer) a member, dropped.</summary>
    private void OnMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        // With end-to-end encryption on, nothing is delivered without a session to open it: never as plain media.
        var e2e = _trust.Current;
        if (IsMember(sender) && (e2e is not null || !_trust.Enabled))
        {
            _media.Receive(e2e, sender, kind, payload);
        }
    }

    private void OnSignal(uint sender, ReadOnlySequence<byte> payload)
    {
        if (IsMember(sender))
        {
            _trust.OnSignal(sender, payload);
        }
    }

    private bool IsMember(uint sender)
    {
        lock (_lock)
        {
            return _membership.Contains(sender);
        }
    }

    /// <summary>The connection dropped: keys and members go; the link reconnects, or (final) has given up.</summary>
    private async Task OnLinkLostAsync(string reason, bool final)
    {
        await _trust.EndAsync().ConfigureAwait(false);
        IReadOnlyList<ParticipantInfo> gone;
        string? session;
        lock (_lock)
        {
            gone = _membership.Clear();
            session = _call.Session;
        }

        _media.Volumes.Members(session, new Dictionary<uint, string>());
        _media.Clear();
        foreach (var info in gone)
        {
            Publish(ControlEventKind.ParticipantLeft, info);
        }

        SetState(final ? ConnectionState.Failed : ConnectionState.Reconnecting, reason);
    }

    /// <summary>Sends an end-to-end signal to member <paramref name="target"/> (0: everyone else) through the transport.</summary>
    private void SendSignal(uint target, byte[] payload) => Read(c => c.Link.Link)?.SendSignal(target, payload);

    /// <summary>A member's trust changed (verified, refused, first key): the views and `who` show it.</summary>
    private void OnMemberTrustChanged(uint id)
    {
        ParticipantInfo? info;
        lock (_lock)
        {
            _membership.TryGet(id, out info);
        }

        if (info is not null)
        {
            Publish(ControlEventKind.ParticipantChanged, info);
        }
    }

    private async Task StopRunAsync(bool sendLeave)
    {
        ITransportLink? link;
        lock (_lock)
        {
            link = _link.Link;
            _link = _link with { Link = null };
        }

        if (link is null)
        {
            return;
        }

        if (sendLeave)
        {
            await link.LeaveAsync().ConfigureAwait(false);
        }
        else
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        await _trust.EndAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _call = _call.Left();
            _membership.Reset();
            _link = _link with { Security = null };
        }

        _media.Volumes.Members(null, new Dictionary<uint, string>());
        _media.Clear();
        _demand.Poke();
        SetState(ConnectionState.Idle, null);
    }

    private void SetState(ConnectionState state, string? reason)
    {
        lock (_lock)
        {
            if (_link.State == state && _link.Reason == reason)
            {
                return;
            }

            _link = _link with { State = state, Reason = reason };
        }

        Publish(ControlEventKind.ConnectionChanged, null);
    }

    private void Publish(ControlEventKind kind, ParticipantInfo? participant)
    {
        _media.Video.Touch();
        _events.Publish(new ControlEvent { Kind = kind, Participant = participant, Status = GetStatus() });
    }

    /// <summary>The core's side of <see cref="ITransportEvents"/>: what every link of this daemon reports.</summary>
    private sealed class LinkEvents(ConferenceLink owner) : ITransportEvents
    {
        public (MemberFlags Flags, string Name) Presence() => owner.Read(c => (Flags(c.Call), c.Call.Name));

        public void OnSecured(LinkSecurity security)
        {
            lock (owner._lock)
            {
                owner._link = owner._link with { Security = security };
            }
        }

        public void OnWelcome(uint selfId, IReadOnlyList<WireMember> members) => owner.OnWelcome(selfId, members);

        public void OnPresence(PresenceEvent ev, WireMember member) => owner.OnPresence(ev, member);

        public void OnMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload) => owner.OnMedia(sender, kind, payload);

        public void OnSignal(uint sender, ReadOnlySequence<byte> payload) => owner.OnSignal(sender, payload);

        public Task OnLinkLostAsync(string reason, bool final) => owner.OnLinkLostAsync(reason, final);
    }
}
