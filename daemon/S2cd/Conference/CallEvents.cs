using System.Buffers;
using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// What a link to the relay reports (<see cref="ITransportEvents"/>), applied to the call: the members change in
/// <see cref="CallState"/> in one step; keys, media, the mixer's volumes and the events follow after its lock.
/// One per link; the transport calls it one event at a time.
/// </summary>
internal sealed partial class CallEvents(
    CallState state,
    EndToEndTrust trust,
    MediaRouter media,
    CallMemory memory,
    CallAnnouncer announce,
    ILogger logger) : ITransportEvents
{
    public (MemberFlags Flags, string Name) Presence()
    {
        var call = state.Snapshot().Call;
        return (call.Flags, call.Name);
    }

    public void OnSecured(LinkSecurity security) => state.Secured(security);

    public void OnWelcome(uint selfId, IReadOnlyList<WireMember> members)
    {
        var (present, call, names) = state.Welcome(selfId, members);
        media.Volumes.Members(names.Session, names.Names);
        var e2e = trust.Begin(call.Session!, selfId, call.PassphraseKey, SendSignal, OnMemberTrustChanged);
        foreach (var info in present)
        {
            e2e?.MemberPresent(info.Id, newlyJoined: false);
        }

        e2e?.AnnounceToAll();
        announce.Move(ConnectionState.Connected, null);
        memory.Remember();
        LogJoined(call.Session ?? "?", state.Snapshot().Link.Link?.Relay ?? call.Relay ?? "?", members.Count + 1);
        foreach (var info in present)
        {
            announce.Publish(ControlEventKind.ParticipantJoined, info);
        }
    }

    public void OnPresence(PresenceEvent ev, WireMember member)
    {
        if (state.Apply(ev, member) is not { } applied)
        {
            return;
        }

        var (change, names) = applied;
        media.Volumes.Members(names.Session, names.Names);
        var id = change.Member.Id;
        var e2e = trust.Current;
        switch (change.Kind)
        {
            case Membership.ChangeKind.Left:
                media.Remove(id);
                e2e?.MemberLeft(id);
                break;
            case Membership.ChangeKind.Joined:
                e2e?.MemberPresent(id, newlyJoined: true);
                media.Screens?.WantFull();
                break;
            default:
                e2e?.MemberPresent(id, newlyJoined: false);
                if (change.Member.Muted)
                {
                    // Silence a member the moment it mutes, rather than playing out what is still buffered.
                    media.Audio.Remove(id);
                }

                break;
        }

        announce.Publish(
            change.Kind switch
            {
                Membership.ChangeKind.Left => ControlEventKind.ParticipantLeft,
                Membership.ChangeKind.Changed => ControlEventKind.ParticipantChanged,
                _ => ControlEventKind.ParticipantJoined,
            },
            change.Member);
    }

    /// <summary>A member's media: opened and handed to the sinks; from anyone not (or no longer) a member, dropped.</summary>
    public void OnMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        // With end-to-end encryption on, nothing is delivered without a session to open it: never as plain media.
        var e2e = trust.Current;
        if (state.IsMember(sender) && (e2e is not null || !trust.Enabled))
        {
            media.Receive(e2e, sender, kind, payload);
        }
    }

    public void OnSignal(uint sender, ReadOnlySequence<byte> payload)
    {
        if (!state.IsMember(sender))
        {
            return;
        }

        // A member asks for a full state of our shared screen: it holds nothing secret, so it needs no seal.
        if (payload.Length == 1 && payload.FirstSpan[0] == SharedScreens.FullRequestSignal)
        {
            media.Screens?.WantFull();
            return;
        }

        trust.OnSignal(sender, payload);
    }

    /// <summary>The connection dropped: keys and members go; the link reconnects, or (final) has given up.</summary>
    public async Task OnLinkLostAsync(string reason, bool final)
    {
        await trust.EndAsync().ConfigureAwait(false);
        var (gone, names) = state.ClearMembers();
        media.Volumes.Members(names.Session, names.Names);
        media.Clear();
        foreach (var info in gone)
        {
            announce.Publish(ControlEventKind.ParticipantLeft, info);
        }

        announce.Move(final ? ConnectionState.Failed : ConnectionState.Reconnecting, reason);
    }

    /// <summary>Sends an end-to-end signal to member <paramref name="target"/> (0: everyone else) through the link.</summary>
    private void SendSignal(uint target, byte[] payload) => state.Snapshot().Link.Link?.SendSignal(target, payload);

    /// <summary>A member's trust changed (verified, refused, first key): the views and `who` show it.</summary>
    private void OnMemberTrustChanged(uint id)
    {
        if (state.Member(id) is { } info)
        {
            announce.Publish(ControlEventKind.ParticipantChanged, info);
        }
    }

    [LoggerMessage(EventId = LogEvents.Joined, Level = LogLevel.Information, Message = "Joined session {Session} on relay {Relay} with {Count} participants")]
    private partial void LogJoined(string session, string relay, int count);
}
