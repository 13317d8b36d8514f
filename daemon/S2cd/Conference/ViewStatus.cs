using S2cd.Contract;
using S2cd.Transport;

namespace S2cd.Conference;

/// <summary>What the call view's status line shows, typed: nothing is parsed back from <see cref="StatusResult"/>'s words.</summary>
internal sealed record ViewStatus(
    string? Session,
    string? Relay,
    ConnectionState Connection,
    double? RoundTripMs,
    bool CameraRunning,
    LinkSecurity? Security,
    bool EndToEnd,
    string? CallCode,
    bool Muted,
    bool CameraOn,
    IReadOnlyList<Problem> Problems,
    MediaPathStatus? MediaPath = null);
