namespace S2cd.Contract;

/// <summary>One member of the current session, as the daemon sees it.</summary>
public sealed record ParticipantInfo
{
    /// <summary>The member id the relay gave this participant; unique within the session while it stays.</summary>
    public required uint Id { get; init; }

    /// <summary>The display name.</summary>
    public required string Name { get; init; }

    /// <summary>True for this daemon's own participant.</summary>
    public required bool IsSelf { get; init; }

    /// <summary>True when the participant's microphone is muted.</summary>
    public required bool Muted { get; init; }

    /// <summary>True when the participant's camera is on.</summary>
    public required bool CameraOn { get; init; }

    /// <summary>Pictures per second received from the participant (or captured, for oneself).</summary>
    public double VideoFps { get; init; }

    /// <summary>Delay from the participant's capture to our decode, in milliseconds, for the last picture.</summary>
    public double? VideoDelayMs { get; init; }
}
