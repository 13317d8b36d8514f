namespace S2cd.Contract;

/// <summary>What a camera, microphone or speaker is doing.</summary>
public enum DeviceCondition
{
    /// <summary>Not wanted now (no session, camera switched off).</summary>
    Off,

    /// <summary>Open and working.</summary>
    On,

    /// <summary>Wanted, but it does not open or its library does not load; retried.</summary>
    Unavailable,

    /// <summary>Switched off in the configuration.</summary>
    Disabled,
}

/// <summary>
/// A device's state as its service reports it: the condition, what is open (<see cref="Detail"/> when on), or why not
/// (when unavailable or disabled) and how often it is retried.
/// </summary>
public sealed record DeviceStatus(DeviceCondition Condition, string? Detail = null, double? RetrySeconds = null)
{
    /// <summary>Not wanted now.</summary>
    public static DeviceStatus Off { get; } = new(DeviceCondition.Off);

    /// <summary>Open and working: <paramref name="what"/> is open.</summary>
    public static DeviceStatus On(string what) => new(DeviceCondition.On, what);

    /// <summary>Wanted but not opening, for <paramref name="reason"/>; tried again every <paramref name="retryEvery"/>.</summary>
    public static DeviceStatus Unavailable(string reason, TimeSpan retryEvery) => new(DeviceCondition.Unavailable, reason, retryEvery.TotalSeconds);

    /// <summary>Switched off in the configuration (<paramref name="why"/>).</summary>
    public static DeviceStatus Disabled(string why) => new(DeviceCondition.Disabled, why);
}

/// <summary>Which way media goes to and from the relay.</summary>
public enum MediaPathKind
{
    /// <summary>Datagrams (UDP), sealed per packet.</summary>
    Udp,

    /// <summary>Inside the TLS link.</summary>
    Tls,
}

/// <summary>The media path and, on TLS, why not UDP (null when nothing is known yet).</summary>
public sealed record MediaPathStatus(MediaPathKind Kind, string? WhyNotUdp = null);

/// <summary>How the link to the relay is protected.</summary>
public enum LinkEncryption
{
    /// <summary>No link yet.</summary>
    NotConnected,

    /// <summary>TLS 1.3, with the relay's certificate fingerprint.</summary>
    Tls,

    /// <summary>Plain TCP (Conference:Tls false).</summary>
    None,
}

/// <summary>The link's protection and the relay certificate's fingerprint when it is TLS.</summary>
public sealed record EncryptionStatus(LinkEncryption Kind, string? RelayCertificate = null);

/// <summary>End-to-end protection of media in a session.</summary>
public enum EndToEndState
{
    /// <summary>Off by configuration (Conference:EndToEnd false): media crosses the relay readable.</summary>
    Off,

    /// <summary>On, and the relay has not let us in yet.</summary>
    WaitingForRelay,

    /// <summary>AES-256-GCM under per-sender keys.</summary>
    On,
}

/// <summary>End-to-end state and how many of the other members' keys are held (of <see cref="Others"/>; <see cref="Verified"/> checked).</summary>
public sealed record EndToEndStatus(EndToEndState State, int Keys = 0, int Verified = 0, int Others = 0);

/// <summary>How far a member's media can be trusted.</summary>
public enum Trust
{
    /// <summary>This daemon itself.</summary>
    You,

    /// <summary>End-to-end encryption is off.</summary>
    NotEncrypted,

    /// <summary>Its certificate has not been checked yet.</summary>
    WaitingForCertificate,

    /// <summary>Its certificate was checked; no media key from it yet.</summary>
    VerifiedAwaitingKey,

    /// <summary>Its certificate was checked and its key is held.</summary>
    Verified,

    /// <summary>Refused (the reason in <see cref="ParticipantInfo.RefusedReason"/>): it gets no keys, its media is dropped.</summary>
    Refused,
}

/// <summary>A relay's link to its fabric.</summary>
public enum FabricState
{
    /// <summary>Its NATS connection is open.</summary>
    Connected,

    /// <summary>Its NATS connection is being made again.</summary>
    Reconnecting,
}

/// <summary>What does not work.</summary>
public enum ProblemKind
{
    /// <summary>The camera does not open (retried).</summary>
    CameraUnavailable,

    /// <summary>The microphone does not open (retried).</summary>
    MicrophoneUnavailable,

    /// <summary>The speaker does not open (retried).</summary>
    SpeakerUnavailable,

    /// <summary>Others' pictures cannot be shown (the decoder does not load).</summary>
    PicturesNotShown,

    /// <summary>Others' sound cannot be played.</summary>
    SoundNotPlayed,

    /// <summary>Part of the microphone's processing cannot run.</summary>
    AudioProcessing,

    /// <summary>A service of the daemon stopped and is restarting (<see cref="Problem.Subject"/> names it).</summary>
    ServiceStopped,

    /// <summary>The relay's configured web front does not serve.</summary>
    WebFrontNotServing,
}

/// <summary>One thing that does not work: its kind, what it concerns where that varies, and the detail (with what to do, where known).</summary>
public sealed record Problem(ProblemKind Kind, string Detail, string? Subject = null);
