namespace S2cd.Contract;

/// <summary>The daemon's state, as returned by <see cref="ControlProtocol.Methods.Status"/> and the state-changing calls.</summary>
public sealed record StatusResult
{
    /// <summary>The role the daemon runs in: <c>participant</c> or <c>relay</c>.</summary>
    public required string Role { get; init; }

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

    /// <summary>The camera's state: <c>off</c>, <c>on: SOURCE</c>, or <c>unavailable: REASON</c>.</summary>
    public string Camera { get; init; } = "off";

    /// <summary>Video payloads from others that were dropped because they did not decode or were malformed.</summary>
    public long VideoRejected { get; init; }

    /// <summary>The number of members in the session, this daemon included.</summary>
    public required int Participants { get; init; }

    /// <summary>The address the embedded or stand-alone relay listens on, or null when none runs in this process.</summary>
    public string? RelayListen { get; init; }

    /// <summary>The number of sessions on this process's relay (relay role and embedded relay).</summary>
    public int RelaySessions { get; init; }

    /// <summary>The number of connections on this process's relay.</summary>
    public int RelayConnections { get; init; }
}
