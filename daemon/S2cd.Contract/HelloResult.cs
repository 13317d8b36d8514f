namespace S2cd.Contract;

/// <summary>The daemon's answer to <see cref="ControlProtocol.Methods.Hello"/>.</summary>
public sealed record HelloResult
{
    /// <summary>The control protocol version of the daemon.</summary>
    public required int ProtocolVersion { get; init; }

    /// <summary>The daemon's product version.</summary>
    public required string DaemonVersion { get; init; }

    /// <summary>The role the daemon runs in.</summary>
    public required DaemonRole Role { get; init; }
}
