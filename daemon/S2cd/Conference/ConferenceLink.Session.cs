using System.Buffers;
using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>What the transport reports, applied to the session: members, end-to-end keys, and media to the sinks.</summary>
internal sealed partial class ConferenceLink
{
    private void OnSecured(LinkSecurity security)
    {
        lock (_lock)
        {
            _security = security;
        }
    }

    private void OnWelcome(uint selfId, IReadOnlyList<WireMember> members)
    {
        IReadOnlyList<ParticipantInfo> present;
        EndToEndSession? e2e = null;
        lock (_lock)
        {
            present = _membership.Welcome(selfId, members);
            if (_options.EndToEnd && _identity is not null)
            {
                e2e = new EndToEndSession(_identity, _session!, selfId, _passphraseKey, SendSignal, OnMemberTrustChanged, _time, _logger);
                _e2e = e2e;
            }

            foreach (var info in present)
            {
                e2e?.MemberPresent(info.Id, newlyJoined: false);
            }
        }

        e2e?.AnnounceToAll();

        SetState(ConnectionState.Connected, null);
        Remember();
        LogJoined(GetStatus().Session ?? "?", GetStatus().Relay ?? "?", members.Count + 1);
        foreach (var info in present)
        {
            Publish(ControlEventKind.ParticipantJoined, info);
        }
    }

    private void OnPresence(PresenceEvent ev, WireMember member)
    {
        Membership.Change change;
        lock (_lock)
        {
            if (_membership.Apply(ev, member) is not { } applied)
            {
                return;
            }

            change = applied;
            var id = change.Member.Id;
            switch (change.Kind)
            {
                case Membership.ChangeKind.Left:
                    _video.Remove(id);
                    _audio.Remove(id);
                    _e2e?.MemberLeft(id);
                    break;
                case Membership.ChangeKind.Joined:
                    _e2e?.MemberPresent(id, newlyJoined: true);
                    break;
                default:
                    _e2e?.MemberPresent(id, newlyJoined: false);
                    if (change.Member.Muted)
                    {
                        // Silence a member the moment it mutes, rather than playing out what is still buffered.
                        _audio.Remove(id);
                    }

                    break;
            }
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
        if (MemberSession(sender, out var e2e))
        {
            _media.Receive(e2e, sender, kind, payload);
        }
    }

    private void OnSignal(uint sender, ReadOnlySequence<byte> payload)
    {
        if (MemberSession(sender, out var e2e))
        {
            e2e?.OnSignal(sender, payload);
        }
    }

    /// <summary>Whether <paramref name="sender"/> is a member, and the end-to-end session to open its media with: one look under the lock per packet.</summary>
    private bool MemberSession(uint sender, out EndToEndSession? e2e)
    {
        lock (_lock)
        {
            e2e = _e2e;
            return _membership.Contains(sender);
        }
    }

    /// <summary>The connection dropped: keys and members go; the link reconnects, or (final) has given up.</summary>
    private async Task OnLinkLostAsync(string reason, bool final)
    {
        await EndEndToEndAsync().ConfigureAwait(false);
        ClearMembers();
        SetState(final ? ConnectionState.Failed : ConnectionState.Reconnecting, reason);
    }

    private EndToEndSession? CurrentEndToEnd()
    {
        lock (_lock)
        {
            return _e2e;
        }
    }

    /// <summary>Sends an end-to-end signal to member <paramref name="target"/> (0: everyone else) through the transport.</summary>
    private void SendSignal(uint target, byte[] payload)
    {
        ITransportLink? link;
        lock (_lock)
        {
            link = _link;
        }

        link?.SendSignal(target, payload);
    }

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

    /// <summary>The end-to-end session of a connection ends with it; its counters add to the totals status shows.</summary>
    private async Task EndEndToEndAsync()
    {
        EndToEndSession? e2e;
        lock (_lock)
        {
            e2e = _e2e;
            _e2e = null;
        }

        if (e2e is null)
        {
            return;
        }

        var (tampered, replayed, oldKey, bundles, refused, awaiting) = e2e.Counters;
        lock (_lock)
        {
            _e2eTotals = new EndToEndSession.Figures(
                _e2eTotals.Tampered + tampered,
                _e2eTotals.Replayed + replayed,
                _e2eTotals.OldKey + oldKey,
                _e2eTotals.BadKeyBundles + bundles,
                _e2eTotals.RefusedMembers + refused,
                _e2eTotals.AwaitingKey + awaiting);
        }

        await e2e.DisposeAsync().ConfigureAwait(false);
    }

    private async Task StopRunAsync(bool sendLeave)
    {
        ITransportLink? link;
        lock (_lock)
        {
            link = _link;
            _link = null;
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

        await EndEndToEndAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _session = null;
            _relay = null;
            _membership.Reset();
            _passphraseKey = null;
            _rejoinedAfterSeconds = null;
        }

        _video.Clear();
        _audio.Clear();
        _cameraDemand.Writer.TryWrite(true);
        SetState(ConnectionState.Idle, null);
    }

    /// <summary>The core's side of <see cref="ITransportEvents"/>: what every link of this daemon reports.</summary>
    private sealed class LinkEvents(ConferenceLink owner) : ITransportEvents
    {
        public (MemberFlags Flags, string Name) Presence()
        {
            lock (owner._lock)
            {
                return (owner.FlagsLocked(), owner._name);
            }
        }

        public void OnSecured(LinkSecurity security) => owner.OnSecured(security);

        public void OnWelcome(uint selfId, IReadOnlyList<WireMember> members) => owner.OnWelcome(selfId, members);

        public void OnPresence(PresenceEvent ev, WireMember member) => owner.OnPresence(ev, member);

        public void OnMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload) => owner.OnMedia(sender, kind, payload);

        public void OnSignal(uint sender, ReadOnlySequence<byte> payload) => owner.OnSignal(sender, payload);

        public Task OnLinkLostAsync(string reason, bool final) => owner.OnLinkLostAsync(reason, final);
    }
}
