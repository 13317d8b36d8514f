namespace S2cd.Transport.RelayLink;

/// <summary>How a daemon's link to a relay behaves; made from the Conference and Relay configuration sections.</summary>
internal sealed record RelayLinkOptions
{
    /// <summary>TLS 1.3 to the relay; false speaks plain TCP.</summary>
    public bool Tls { get; init; } = true;

    /// <summary>The relay certificate's fingerprint from configuration; null pins the first one seen.</summary>
    public string? RelayFingerprint { get; init; }

    /// <summary>The longest wait between two reconnection attempts.</summary>
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Media as UDP datagrams when the relay offers them and they get through; false keeps media on the link.</summary>
    public bool Udp { get; init; } = true;

    /// <summary>Frame limits, queue and heartbeats of the connection.</summary>
    public FrameConnectionOptions Connection { get; init; } = new();
}
