namespace S2cd.Contract;

/// <summary>Kinds of <see cref="ControlEvent"/>.</summary>
public enum ControlEventKind
{
    /// <summary>A participant joined the session.</summary>
    ParticipantJoined,

    /// <summary>A participant left or was dropped.</summary>
    ParticipantLeft,

    /// <summary>A participant changed name, mute or camera state.</summary>
    ParticipantChanged,

    /// <summary>The link to the relay changed state.</summary>
    ConnectionChanged,

    /// <summary>A chat message was sent or came (<see cref="ControlEvent.Message"/>).</summary>
    Message,
}
