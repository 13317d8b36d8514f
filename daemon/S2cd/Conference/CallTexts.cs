using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// What members send each other as text rather than as pictures and sound: chat messages (<see cref="CallChat"/>) and
/// shared terminal screens (<see cref="SharedScreens"/>). Both go sealed under our end-to-end key, on the link only,
/// and only while the call is connected; what is refused is refused with a reason and changes nothing.
/// </summary>
internal sealed class CallTexts
{
    private readonly CallState _state;
    private readonly EndToEndTrust _trust;
    private readonly CallAnnouncer _announce;

    public CallTexts(CallState state, EndToEndTrust trust, CallAnnouncer announce, MediaRouter media, TimeProvider time)
    {
        _state = state;
        _trust = trust;
        _announce = announce;
        Chat = new CallChat(
            id => state.Member(id) is { } member ? (member.Name, trust.Describe(trust.Current, id).Fingerprint) : null,
            () => (state.Snapshot().Call.Name, trust.Identity?.Fingerprint),
            time);
        Chat.Added += message => announce.Publish(ControlEventKind.Message, null, message);
        Screens = new SharedScreens((member, signal) => state.Snapshot().Link.Link?.SendSignal(member, signal), media.Video.Touch, time);
        media.Chat = Chat;
        media.Screens = Screens;
    }

    /// <summary>The call's chat: its kept messages, for the control API and the views.</summary>
    public CallChat Chat { get; }

    /// <summary>The terminal screens shared in the call, ours and the others'.</summary>
    public SharedScreens Screens { get; }

    /// <summary>
    /// Sends a chat message to everyone in the session and keeps it. Refused, changing nothing, when the text is not a
    /// message (<see cref="ArgumentException"/>), outside a session or while the link is down
    /// (<see cref="InvalidOperationException"/>), or past <see cref="MediaKinds.TextMessages"/> messages in
    /// <see cref="MediaKinds.TextWindow"/> (<see cref="RateLimitException"/>).
    /// </summary>
    public ChatMessage Say(string text)
    {
        if (CallChat.Check(text) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var (link, e2e) = Connected("the message was not sent");
        if (!Chat.TryTakeOwn(out var roomIn))
        {
            throw new RateLimitException(
                $"too many messages: at most {MediaKinds.TextMessages} in {MediaKinds.TextWindow.TotalSeconds:0} s; the next can go in {Math.Max(1, Math.Ceiling(roomIn.TotalSeconds)):0} s");
        }

        link.SendMedia(MediaKind.Text, CallChat.Encode(text), e2e);
        return Chat.Sent(text);
    }

    /// <summary>
    /// An update of the terminal <paramref name="owner"/> (a control connection) shares, checked and sent to the call.
    /// Throws as <see cref="SharedScreens.Share"/> does, and <see cref="InvalidOperationException"/> outside a connected
    /// call. The participants' list is announced when a share starts or changes size, not at every update.
    /// </summary>
    public ShareAnswer Share(object owner, byte[] update)
    {
        var (link, e2e) = Connected("the screen waits");
        var before = Screens.Own;
        var (send, fullWanted) = Screens.Share(owner, update);
        if (send)
        {
            link.SendMedia(MediaKind.Screen, update, e2e);
        }

        var after = Screens.Own;
        if ((before is null) != (after is null) || (before is not null && after is not null && (before.Cols, before.Rows) != (after.Cols, after.Rows)))
        {
            _announce.Publish(ControlEventKind.ParticipantChanged, null);
        }

        return new ShareAnswer { FullWanted = fullWanted, Viewers = _state.Snapshot().Others };
    }

    /// <summary>The connection <paramref name="owner"/> went: a share of its ends, and the others are told.</summary>
    public void EndShare(object owner)
    {
        if (Screens.Release(owner))
        {
            if (_state.Snapshot().Link is { State: ConnectionState.Connected, Link: { } link })
            {
                link.SendMedia(MediaKind.Screen, ScreenUpdate.Ended(0), _trust.Current);
            }

            _announce.Publish(ControlEventKind.ParticipantChanged, null);
        }
    }

    /// <summary>The screen <paramref name="name"/> shares, of <paramref name="participants"/>; throws <see cref="ArgumentException"/> when none.</summary>
    public ScreenText ScreenOf(IReadOnlyList<ParticipantInfo> participants, string name, bool ansi)
    {
        var member = participants.FirstOrDefault(p => p.Name == name)
            ?? throw new ArgumentException($"nobody named '{name}' is in the call");
        var screen = (member.IsSelf ? Screens.Own : Screens.Of(member.Id)) ?? throw new ArgumentException($"{name} shares no screen");
        return new ScreenText { From = member.Name, Cols = screen.Cols, Rows = screen.Rows, Lines = screen.Lines(), Ansi = ansi ? screen.Ansi() : null };
    }

    /// <summary>Our share's size as <c>who</c> shows it, or another member's (null: none).</summary>
    public string? SharingOf(ParticipantInfo member) =>
        (member.IsSelf ? Screens.Own : Screens.Of(member.Id)) is { } screen ? $"{screen.Cols}×{screen.Rows}" : null;

    /// <summary>The link and the key to send under, or <see cref="InvalidOperationException"/> saying why not now.</summary>
    private (ITransportLink Link, EndToEndSession? E2e) Connected(string consequence)
    {
        var now = _state.Snapshot();
        var e2e = _trust.Current;
        if (now.Call.Session is null)
        {
            throw new InvalidOperationException("not in a session: join one first");
        }

        if (now.Link is not { State: ConnectionState.Connected, Link: { } link })
        {
            throw new InvalidOperationException($"not connected to the relay just now ({now.Link.State.ToString().ToLowerInvariant()}): {consequence}");
        }

        return e2e is null && _trust.Enabled
            ? throw new InvalidOperationException($"the call's end-to-end keys are not ready yet: {consequence}")
            : (link, e2e);
    }
}
