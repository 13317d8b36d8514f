namespace S2cd.Contract;

/// <summary>
/// One message of the call's chat, as <c>say</c> answers it and <c>chat</c> lists it. The text is as its sender typed
/// it (UTF-8, at most <see cref="ControlProtocol.MaxChatBytes"/> bytes, control characters included): whoever writes it
/// to a terminal shows those harmlessly first (<see cref="TextCells.Visible"/>).
/// </summary>
public sealed record ChatMessage
{
    /// <summary>This daemon's number for the message: larger for later ones, never reused while the daemon runs.</summary>
    public required long Id { get; init; }

    /// <summary>The sender's display name when the message came.</summary>
    public required string From { get; init; }

    /// <summary>The sender's certificate fingerprint (end-to-end identity), or null with end-to-end encryption off.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>True for a message this daemon sent.</summary>
    public bool IsSelf { get; init; }

    /// <summary>When this daemon sent or received it.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The text, exactly as its sender gave it.</summary>
    public required string Text { get; init; }
}
