using S2cd.Configuration;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// Settings of the relay (configuration section <c>Relay</c>), used by the relay role and by the
/// relay a participant daemon embeds.
/// </summary>
internal sealed class RelayOptions
{
    public const string Section = "Relay";

    /// <summary>HOST:PORT to listen on. Relay role default 0.0.0.0:1122; the embedded relay's default 127.0.0.1:1122.</summary>
    public string? Listen { get; set; }

    /// <summary>
    /// TLS 1.3 with the relay's self-signed certificate (made on first start, kept in the state directory).
    /// False serves plain TCP: only for a relay whose daemons are configured with Conference:Tls false.
    /// </summary>
    public bool Tls { get; set; } = true;

    /// <summary>
    /// Media as UDP datagrams on the listener's port number (UDP 1122 by default) for daemons that can reach it;
    /// false keeps all media on the TLS links.
    /// </summary>
    public bool Udp { get; set; } = true;

    /// <summary>Whether a participant daemon runs an embedded relay on loopback.</summary>
    public bool Embedded { get; set; } = true;

    [InRange(1, 100_000)]
    public int MaxSessions { get; set; } = 1000;

    [InRange(2, 256)]
    public int MaxParticipantsPerSession { get; set; } = 16;

    [InRange(1, 100_000)]
    public int MaxConnections { get; set; } = 4096;

    /// <summary>Largest frame accepted, in bytes.</summary>
    [InRange(1024, WireProtocol.AbsoluteMaxFrameBytes)]
    public int MaxFrameBytes { get; set; } = 256 * 1024;

    /// <summary>Media bytes per second one sender may send; frames over the rate are dropped and counted.</summary>
    [InRange(1024, 1_000_000_000)]
    public int MaxBytesPerSecondPerSender { get; set; } = 2 * 1024 * 1024;

    /// <summary>Frames queued for one receiver before media is dropped.</summary>
    [InRange(16, 65536)]
    public int QueueCapacity { get; set; } = 512;

    /// <summary>Audio older than this when it reaches the front of a receiver's queue is dropped.</summary>
    [InRange(10, 10_000)]
    public int AudioMaxAgeMilliseconds { get; set; } = 100;

    [InRange(0.05, 60)]
    public double HeartbeatSeconds { get; set; } = 1;

    /// <summary>A connection from which nothing arrives for this long is closed.</summary>
    public double TimeoutSeconds { get; set; } = 3.5;

    /// <summary>
    /// The relay's CPU, in percent of all the machine's cores, past which it is busy: new joins are refused with
    /// "relay busy" (a daemon with several relays goes to the next), and video is thinned step by step so that
    /// the calls already running keep their audio. Established connections are never closed for load.
    /// </summary>
    [InRange(1, 100)]
    public double MaxLoad { get; set; } = 90;

    /// <summary>
    /// NATS servers (nats://HOST:PORT, comma-separated) through which this relay shares sessions with the other
    /// relays of the same fabric: members of one session on different relays see and hear each other. Null: the
    /// relay works alone.
    /// </summary>
    public string? Fabric { get; set; }

    /// <summary>The fabric's shared secret (base64, at least 32 bytes): subjects carry a keyed hash of the session
    /// name and every message on the fabric is sealed with a key derived from it, so the NATS operator learns
    /// neither names nor content. The same on every relay of a fabric.</summary>
    public string? FabricKey { get; set; }

    /// <summary>NATS user and password, or a token, or a credentials file (nkey/JWT), for the fabric.</summary>
    public string? FabricUser { get; set; }

    public string? FabricPassword { get; set; }

    public string? FabricToken { get; set; }

    public string? FabricCredentials { get; set; }

    /// <summary>PEM file of the CA that signed the NATS servers' certificates, for a cluster with a private CA
    /// (without it, tls:// servers are checked against the system's CAs). Setting it requires TLS.</summary>
    public string? FabricCa { get; set; }

    /// <summary>PEM files of this relay's client certificate and its private key, for a cluster that verifies
    /// its clients (nats-server's tls { verify: true }).</summary>
    public string? FabricCertificate { get; set; }

    public string? FabricCertificateKey { get; set; }

    /// <summary>
    /// HOST:PORT on which the relay serves its web front (the session-link page, /metrics, /healthz, /readyz), over
    /// plain HTTP for a reverse proxy in front of it. Null: no web front. Only a relay of its own (relay role)
    /// serves one; a participant daemon's embedded relay never does.
    /// </summary>
    public string? Web { get; set; }

    /// <summary>
    /// HOST:PORT participants reach this relay at, for the command the web front shows. Null: the listen address
    /// when it names one host, else the host the browser asked for with the relay's port.
    /// </summary>
    public string? PublicAddress { get; set; }

    /// <summary>
    /// A token the web front's form asks for before it makes a session (16 to 256 printable characters, no spaces);
    /// null: anyone who reaches the page may make one. Session pages stay open to whoever has their link. Keep it in
    /// the configuration file (mode 0640) or the environment (S2CD_Relay__WebToken), not on a command line.
    /// </summary>
    public string? WebToken { get; set; }

    /// <summary>
    /// The address the web front is reached at from outside, as scheme://host[:port] (https://call.example.org behind a
    /// TLS-terminating proxy): the join line and its script use it. Null: the scheme and host the request came with
    /// (from a proxy of <see cref="TrustedProxies"/>, its X-Forwarded-Proto and X-Forwarded-Host).
    /// </summary>
    public string? PublicWebUrl { get; set; }

    /// <summary>
    /// IP addresses of reverse proxies (comma-separated) whose X-Forwarded-For, -Proto and -Host the web front believes:
    /// the client's address they name is the one the per-address limits count. Null: no proxy is believed.
    /// </summary>
    public string? TrustedProxies { get; set; }

    /// <summary>
    /// Whether the web front offers the one-line join (<c>curl … /j/NAME | sh</c>) and the relay's own build of s2cd and
    /// s2c-attach as one tarball for machines without s2cd. False: only the command for an installed s2c-attach.
    /// </summary>
    public bool Downloads { get; set; } = true;

    /// <summary>
    /// The directory whose NativeAOT s2cd and s2c-attach (and the libraries beside them) are offered. Null: the directory
    /// of this relay's own program (/usr/lib/s2cd for the .deb).
    /// </summary>
    public string? DownloadsFrom { get; set; }

    /// <summary>Downloads of the build one address may start per hour.</summary>
    [InRange(1, 10_000)]
    public int DownloadsPerAddressPerHour { get; set; } = 10;

    /// <summary>Downloads of the build sent at once; more are refused with 503 until one ends.</summary>
    [InRange(1, 1000)]
    public int MaxConcurrentDownloads { get; set; } = 8;

    /// <summary>Sessions one address may make on the web front per minute.</summary>
    [InRange(1, 10_000)]
    public int WebSessionsPerMinute { get; set; } = 10;

    /// <summary>Seconds over which refused and failed connections are summed into one log line per cause.</summary>
    [InRange(0.1, 3600)]
    public double LogSummarySeconds { get; set; } = 10;

    /// <summary>
    /// For tests only: the load the relay takes itself to be at, in percent, instead of measuring it (its timer's
    /// lateness is then not looked at either).
    /// </summary>
    [InRange(0, 100)]
    public double? TestLoad { get; set; }

    /// <summary>
    /// For tests only: the share (0..1) of audio frames the relay drops on purpose, to check loss concealment.
    /// </summary>
    [InRange(0, 0.9)]
    public double TestDropAudioFraction { get; set; }

    /// <summary>The framed connection's limits and heartbeats, the same for the relay's side and a daemon's.</summary>
    public FrameConnectionOptions ConnectionOptions() => new()
    {
        MaxFrameBytes = MaxFrameBytes,
        QueueCapacity = QueueCapacity,
        AudioMaxAge = TimeSpan.FromMilliseconds(AudioMaxAgeMilliseconds),
        HeartbeatInterval = TimeSpan.FromSeconds(HeartbeatSeconds),
        HeartbeatTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
    };
}
