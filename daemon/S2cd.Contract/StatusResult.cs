namespace S2cd.Contract;

/// <summary>The daemon's state, as returned by <see cref="ControlProtocol.Methods.Status"/> and the state-changing calls.</summary>
public sealed record StatusResult
{
    /// <summary>The role the daemon runs in.</summary>
    public required DaemonRole Role { get; init; }

    /// <summary>The daemon's product version.</summary>
    public required string DaemonVersion { get; init; }

    /// <summary>The display name this daemon uses.</summary>
    public required string Name { get; init; }

    /// <summary>The session joined or being joined, or null.</summary>
    public string? Session { get; init; }

    /// <summary>The relay as HOST:PORT, or null.</summary>
    public string? Relay { get; init; }

    /// <summary>The state of the link to the relay.</summary>
    public required ConnectionState Connection { get; init; }

    /// <summary>Why the link is reconnecting or failed, or null.</summary>
    public string? Reason { get; init; }

    /// <summary>The last measured round-trip time to the relay in milliseconds, or null.</summary>
    public double? RoundTripMs { get; init; }

    /// <summary>True when the microphone is muted.</summary>
    public required bool Muted { get; init; }

    /// <summary>True when the camera is on.</summary>
    public required bool CameraOn { get; init; }

    /// <summary>How the link to the relay is protected: TLS with the relay's certificate fingerprint, or not; null outside a session.</summary>
    public EncryptionStatus? Encryption { get; init; }

    /// <summary>How media is protected end to end (AES-256-GCM under per-sender keys, and how many members' keys we hold), or off; null outside a session.</summary>
    public EndToEndStatus? EndToEnd { get; init; }

    /// <summary>This daemon's identity certificate fingerprint (SHA256:...), or null in the relay role.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>
    /// A short code derived from the certificates of everyone verified in the call (ourselves included): equal for
    /// all members exactly when they all see the same certificates. Null outside a session.
    /// </summary>
    public string? CallCode { get; init; }

    /// <summary>True when the session was joined with a passphrase.</summary>
    public bool Passphrase { get; init; }

    /// <summary>Media frames from others rejected because they did not authenticate (tampered, or not under the sender's key).</summary>
    public long RejectedTampered { get; init; }

    /// <summary>Media frames from others rejected because their counter had been seen before (replayed).</summary>
    public long RejectedReplayed { get; init; }

    /// <summary>Media frames from others rejected because they were under a key the sender replaced more than a few seconds ago.</summary>
    public long RejectedOldKey { get; init; }

    /// <summary>Key bundles and other signals rejected: signed by someone else, replayed, for another session, malformed.</summary>
    public long RejectedKeyBundles { get; init; }

    /// <summary>Members refused: an announcement not signed by its certificate (a swap), or a passphrase that does not match.</summary>
    public long RefusedMembers { get; init; }

    /// <summary>Media frames dropped because their key had not arrived yet (normal for a moment after a join or rekey).</summary>
    public long MediaAwaitingKey { get; init; }

    /// <summary>The camera's state: off, on (the source), unavailable (why) or disabled.</summary>
    public DeviceStatus Camera { get; init; } = DeviceStatus.Off;

    /// <summary>Video payloads from others that were dropped because they did not decode or were malformed.</summary>
    public long VideoRejected { get; init; }

    /// <summary>Pictures from the members now in the session that never arrived (per member: <c>who</c>).</summary>
    public long VideoLost { get; init; }

    /// <summary>The microphone's state, as <see cref="Camera"/>.</summary>
    public DeviceStatus Microphone { get; init; } = DeviceStatus.Off;

    /// <summary>The speaker's state, as <see cref="Camera"/>.</summary>
    public DeviceStatus Speaker { get; init; } = DeviceStatus.Off;

    /// <summary>ALSA overruns on capture and underruns on playback recovered from since the daemon started.</summary>
    public long AudioXruns { get; init; }

    /// <summary>What processes the microphone: "echo cancellation (60 ms tail), noise suppression (30 dB), automatic gain (to -20 dBFS)", or "none".</summary>
    public string AudioProcessing { get; init; } = "none";

    /// <summary>Whether the echo canceller runs (configured and libspeexdsp loaded).</summary>
    public bool EchoCancel { get; init; }

    /// <summary>
    /// How much later the speaker's sound reaches the microphone than the devices report, in milliseconds, as the echo
    /// canceller found it from the signals (null until the far end has been heard long enough to tell).
    /// </summary>
    public int? EchoDelayMs { get; init; }

    /// <summary>Whether noise suppression runs.</summary>
    public bool NoiseSuppress { get; init; }

    /// <summary>Whether automatic gain runs.</summary>
    public bool AutoGain { get; init; }

    /// <summary>When the microphone is sent: while speaking, or continuously.</summary>
    public TransmitMode Transmit { get; init; } = TransmitMode.Voice;

    /// <summary>Audio packets this daemon sent since it started.</summary>
    public long AudioPacketsSent { get; init; }

    /// <summary>Bytes of those packets (headers and Opus, before encryption).</summary>
    public long AudioBytesSent { get; init; }

    /// <summary>The jitter buffer's target depth in milliseconds (the average over senders playing).</summary>
    public int JitterBufferMs { get; init; }

    /// <summary>Audio packets from others that never arrived, in percent of those expected.</summary>
    public double AudioLossPercent { get; init; }

    /// <summary>Lost audio packets recovered from the next packet's FEC.</summary>
    public long AudioRecovered { get; init; }

    /// <summary>Frames of audio made up by loss concealment (lost packets, and a jitter buffer that ran dry).</summary>
    public long AudioConcealed { get; init; }

    /// <summary>Times a jitter buffer ran dry and was stretched.</summary>
    public long AudioUnderruns { get; init; }

    /// <summary>Audio packets dropped as late, corrupt or malformed.</summary>
    public long AudioRejected { get; init; }

    /// <summary>Of those, the packets that came after their turn to play had passed (the jitter buffer then deepens).</summary>
    public long AudioLate { get; init; }

    /// <summary>Measured one-way (mouth-to-ear) audio delay, median over recent periods, in milliseconds.</summary>
    public double? AudioDelayMs { get; init; }

    /// <summary>The 95th percentile of the same delay.</summary>
    public double? AudioDelayP95Ms { get; init; }

    /// <summary>Which way media goes to and from the relay (UDP, or TLS with why not UDP); null outside a session.</summary>
    public MediaPathStatus? MediaPath { get; init; }

    /// <summary>Datagrams addressed to us that did not authenticate, were replayed or malformed, and were dropped.</summary>
    public long DatagramsRejected { get; init; }

    /// <summary>The number of members in the session, this daemon included.</summary>
    public required int Participants { get; init; }

    /// <summary>
    /// When this stay in the session began as a rejoin after the daemon restarted: how many seconds it was away
    /// (from last being in the call to being let in again). Null for a join someone asked for.
    /// </summary>
    public double? RejoinedAfterSeconds { get; init; }

    /// <summary>Datagrams this process's relay took as authentic and new.</summary>
    public long RelayDatagramsReceived { get; init; }

    /// <summary>Datagrams this process's relay dropped: unknown token, failed authentication, replayed, malformed.</summary>
    public long RelayDatagramsRejected { get; init; }

    /// <summary>The address the embedded or stand-alone relay listens on, or null when none runs in this process.</summary>
    public string? RelayListen { get; init; }

    /// <summary>Where a relay's web front listens (http://HOST:PORT), or null without one.</summary>
    public string? RelayWeb { get; init; }

    /// <summary>The build a relay's web front offers with the one-line join (file, size, SHA-256), or null.</summary>
    public string? RelayJoinBuild { get; init; }

    /// <summary>Why a relay's web front offers no build with the one-line join (Relay:Downloads false, none beside the program), or null.</summary>
    public string? RelayJoinBuildMissing { get; init; }

    /// <summary>The number of sessions on this process's relay (relay role and embedded relay).</summary>
    public int RelaySessions { get; init; }

    /// <summary>The number of connections on this process's relay.</summary>
    public int RelayConnections { get; init; }

    /// <summary>This process's relay's CPU over the last second, in percent of all cores.</summary>
    public double RelayLoad { get; init; }

    /// <summary>Whether this process's relay is past Relay:MaxLoad and refuses new joins ("relay busy").</summary>
    public bool RelayBusy { get; init; }

    /// <summary>Video frames this process's relay did not forward because of load.</summary>
    public long RelayVideoShed { get; init; }

    /// <summary>The relay's link to its fabric (Relay:Fabric), or null without one.</summary>
    public FabricState? RelayFabric { get; init; }

    /// <summary>Messages the relay published to its fabric.</summary>
    public long RelayFabricPublished { get; init; }

    /// <summary>Messages the relay received from its fabric.</summary>
    public long RelayFabricReceived { get; init; }

    /// <summary>Fabric messages that did not open under the fabric's key or did not parse (dropped).</summary>
    public long RelayFabricRejected { get; init; }

    /// <summary>Fabric messages NATS dropped because a subscription of this relay fell behind.</summary>
    public long RelayFabricDropped { get; init; }

    /// <summary>
    /// What does not work, each with what to do where known (for example a camera unavailable because "OpenCV needs
    /// libgtk-3.so.0 — sudo apt install libgtk-3-0"), most visible first. Empty when all is well.
    /// </summary>
    public IReadOnlyList<Problem> Problems { get; init; } = [];
}
