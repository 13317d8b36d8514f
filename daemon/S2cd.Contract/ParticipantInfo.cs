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

    /// <summary>True while the participant's voice activity detection hears speech.</summary>
    public bool Speaking { get; init; }

    /// <summary>How loud this daemon plays the participant, in percent of their level (0 to 200; 100 unless set).</summary>
    public int Volume { get; set; } = 100;

    /// <summary>The participant's last audio level in dBov (0 is full scale, -127 silence), or null when none is recent.</summary>
    public int? AudioLevel { get; init; }

    /// <summary>Pictures per second received from the participant (or captured, for oneself).</summary>
    public double VideoFps { get; init; }

    /// <summary>Pictures from the participant that never arrived (skipped sequence numbers), since they joined.</summary>
    public long VideoLost { get; init; }

    /// <summary>Delay from the participant's capture to our decode, in milliseconds, for the last picture.</summary>
    public double? VideoDelayMs { get; init; }

    /// <summary>The participant's identity certificate fingerprint (SHA256:...), once its announcement was checked.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>Whether its media can be trusted (null before the relay lets us in).</summary>
    public Trust? Trust { get; init; }

    /// <summary>Why this daemon refused the participant (<see cref="Contract.Trust.Refused"/>: it gets no keys, its media is dropped), or null.</summary>
    public string? RefusedReason { get; init; }

    /// <summary>
    /// The id of the newest end-to-end media key: for oneself the key one sends under, for another member the newest
    /// key it gave this daemon; null before there is one or when end-to-end encryption is off. Ids grow by one at every
    /// rekey (a member leaving, a member restarting), so they show that keys were replaced without showing any key.
    /// </summary>
    public uint? KeyId { get; init; }

    /// <summary>The size of the terminal screen the participant shares now (as "120×40"), or null when it shares none.</summary>
    public string? Sharing { get; init; }
}
