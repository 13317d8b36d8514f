using S2cd.Contract;

namespace S2cd.Conference;

/// <summary>
/// Tells the views and the control socket's subscribers what changed in the call, with the status as it is now
/// (composed after every lock is released), and moves the call's link state, announcing a move.
/// </summary>
internal sealed class CallAnnouncer(EventHub events, StatusComposer status, CallState state, IVideoSink video)
{
    /// <summary>The daemon's status now.</summary>
    public StatusResult Status() => status.Of(state.Snapshot());

    public void Publish(ControlEventKind kind, ParticipantInfo? participant, ChatMessage? message = null)
    {
        video.Touch();
        events.Publish(new ControlEvent { Kind = kind, Participant = participant, Message = message, Status = Status() });
    }

    /// <summary>Moves the link to <paramref name="connection"/> and announces it, when that is a change.</summary>
    public void Move(ConnectionState connection, string? reason)
    {
        if (state.SetState(connection, reason))
        {
            Publish(ControlEventKind.ConnectionChanged, null);
        }
    }
}
