using System.Net;
using System.Net.Sockets;
using S2cd.Contract;

namespace S2cd.Platform;

/// <summary>Top-level settings of the daemon (configuration root).</summary>
internal sealed class DaemonOptions
{
    /// <summary><c>participant</c> (default) or <c>relay</c>.</summary>
    public DaemonRole Role { get; set; } = DaemonRole.Participant;

    /// <summary>Where the identity and known relays are kept. Default: $STATE_DIRECTORY, else ~/.local/state/s2cd.</summary>
    public string? StateDirectory { get; set; }

    public bool IsRelay => Role == DaemonRole.Relay;

    /// <summary>The role named <paramref name="name"/>, or null for a name that is not one.</summary>
    public static DaemonRole? ParseRole(string name) => name switch
    {
        "participant" => DaemonRole.Participant,
        "relay" => DaemonRole.Relay,
        _ => null,
    };

    /// <summary>The state directory in use: the configured one, or the default.</summary>
    public string ResolvedStateDirectory => StateDirectory ?? DefaultStateDirectory();

    public static string DefaultStateDirectory()
    {
        var systemd = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        if (!string.IsNullOrEmpty(systemd))
        {
            return systemd.Split(':')[0];
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg))
        {
            return Path.Combine(xdg, "s2cd");
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "s2cd");
    }

    /// <summary>Turns a validated HOST:PORT into an endpoint; names are resolved, IPv4 first.</summary>
    public static IPEndPoint ResolveEndPoint(string value) => Transport.Endpoints.Resolve(value);
}
