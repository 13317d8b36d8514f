using System.Globalization;

namespace S2cd.Contract;

/// <summary>
/// The one place where typed status becomes the words people read: <c>s2c-attach status</c>, <c>who</c> and the call
/// view's status line all take them from here. Nothing reads these words back.
/// </summary>
public static class StatusWords
{
    /// <summary>A device: off, on (what), unavailable (why; how often retried) or disabled (why).</summary>
    public static string Of(DeviceStatus device) => device.Condition switch
    {
        DeviceCondition.On => $"on: {device.Detail}",
        DeviceCondition.Unavailable => string.Create(CultureInfo.InvariantCulture, $"unavailable: {device.Detail}; retrying every {device.RetrySeconds:0.#} s"),
        DeviceCondition.Disabled => $"disabled ({device.Detail})",
        _ => "off",
    };

    /// <summary>The media path: udp, or tls with why not UDP.</summary>
    public static string Of(MediaPathStatus path) => path switch
    {
        { Kind: MediaPathKind.Udp } => "udp",
        { WhyNotUdp: { } why } => $"tls ({why})",
        _ => "tls",
    };

    /// <summary>How the link to the relay is protected.</summary>
    public static string Of(EncryptionStatus? encryption) => encryption switch
    {
        null => "not in a session",
        { Kind: LinkEncryption.Tls } => $"TLS 1.3 to the relay, certificate {encryption.RelayCertificate}",
        { Kind: LinkEncryption.None } => "not encrypted (Conference:Tls is false)",
        _ => "not connected",
    };

    /// <summary>How media is protected end to end, with how many members' keys are held.</summary>
    public static string Of(EndToEndStatus? e2e) => e2e switch
    {
        null => "not in a session",
        { State: EndToEndState.Off } => "off (Conference:EndToEnd is false): media crosses the relay readable",
        { State: EndToEndState.WaitingForRelay } => "AES-256-GCM, waiting for the relay",
        { Others: 0 } => "AES-256-GCM under per-sender keys; nobody else here yet",
        _ => $"AES-256-GCM under per-sender keys; keys from {e2e.Keys} of {e2e.Others} other members ({e2e.Verified} verified)",
    };

    /// <summary>How far a member's media can be trusted.</summary>
    public static string Of(Trust? trust, string? refusedReason = null) => trust switch
    {
        Trust.You => "you",
        Trust.NotEncrypted => "not encrypted",
        Trust.WaitingForCertificate => "waiting for its certificate",
        Trust.VerifiedAwaitingKey => "verified, waiting for its key",
        Trust.Verified => "verified",
        Trust.Refused => "refused: " + refusedReason,
        _ => "-",
    };

    /// <summary>A relay's link to its fabric.</summary>
    public static string Of(FabricState state) => state == FabricState.Connected ? "connected" : "reconnecting";

    /// <summary>One problem in one line, with what to do where known.</summary>
    public static string Of(Problem problem) => problem.Kind switch
    {
        ProblemKind.CameraUnavailable => $"camera unavailable: {problem.Detail}",
        ProblemKind.MicrophoneUnavailable => $"microphone unavailable: {problem.Detail}",
        ProblemKind.SpeakerUnavailable => $"speaker unavailable: {problem.Detail}",
        ProblemKind.PicturesNotShown => $"pictures from others not shown: {problem.Detail}",
        ProblemKind.SoundNotPlayed => $"sound from others not played: {problem.Detail}",
        ProblemKind.ServiceStopped => $"the {problem.Subject} service stopped: {problem.Detail}; restarting",
        ProblemKind.WebFrontNotServing => $"web front not serving: {problem.Detail}",
        _ => problem.Detail,
    };
}
