namespace S2cd.Relay;

/// <summary>What a relay in this process carries, read at once for <c>status</c>.</summary>
internal sealed record RelayFigures(
    string? Listen,
    string? Web,
    string? WebProblem,
    int Sessions,
    int Connections,
    long DatagramsReceived,
    long DatagramsRejected,
    double Load,
    bool Busy,
    long VideoShed,
    RelayFabricFigures? Fabric)
{
    /// <summary>The build the web front's one-line join offers ("s2cd-0.1.0-linux-x64.tar.gz, 41.2 MB, SHA-256 …"), or null.</summary>
    public string? JoinBuild { get; init; }

    /// <summary>Why the web front offers no build for the one-line join, or null.</summary>
    public string? JoinBuildMissing { get; init; }
}

/// <summary>A relay's fabric: whether its link to NATS is up, and the messages it counted.</summary>
internal sealed record RelayFabricFigures(bool Connected, long Published, long Received, long Rejected, long Dropped);

/// <summary>The narrow view of a relay that the conference core and <c>status</c> need: its figures, nothing it can be asked to do.</summary>
internal interface IRelayFigures
{
    /// <summary>The relay's figures now; null when no relay runs in this process.</summary>
    RelayFigures? Figures();
}
