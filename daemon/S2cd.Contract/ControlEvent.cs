namespace S2cd.Contract;

/// <summary>An event pushed to subscribed clients with the <see cref="ControlProtocol.Methods.EventNotification"/> notification.</summary>
public sealed record ControlEvent
{
    /// <summary>What happened.</summary>
    public required ControlEventKind Kind { get; init; }

    /// <summary>The participant concerned, for the participant events.</summary>
    public ParticipantInfo? Participant { get; init; }

    /// <summary>The chat message, for <see cref="ControlEventKind.Message"/>.</summary>
    public ChatMessage? Message { get; init; }

    /// <summary>The daemon's state after the event.</summary>
    public required StatusResult Status { get; init; }
}
