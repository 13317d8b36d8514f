using S2cd.Configuration;
using S2cd.Contract;

namespace S2cd.Control;

/// <summary>Settings of the control socket (configuration section <c>Control</c>).</summary>
internal sealed class ControlOptions
{
    public const string Section = "Control";

    /// <summary>The socket path. Default /run/s2cd/s2cd.sock as root or under systemd, else $XDG_RUNTIME_DIR/s2cd/s2cd.sock.</summary>
    public string? Socket { get; set; }

    /// <summary>The group that owns the socket (mode 0660). Empty: keep the daemon's own group.</summary>
    public string Group { get; set; } = "s2c";

    /// <summary>Clients connected at once; more are turned away.</summary>
    [InRange(1, 1024)]
    public int MaxClients { get; set; } = 64;

    public string ResolveSocketPath(bool relayRole)
    {
        if (!string.IsNullOrEmpty(Socket))
        {
            return Socket;
        }

        var runtimeDirectory = Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY");
        if (!string.IsNullOrEmpty(runtimeDirectory))
        {
            return Path.Combine(runtimeDirectory.Split(':')[0], relayRole ? "s2c-relay.sock" : "s2cd.sock");
        }

        var path = Environment.UserName == "root" ? ControlProtocol.SystemSocketPath : ControlProtocol.UserSocketPath() ?? ControlProtocol.SystemSocketPath;
        return relayRole ? Path.Combine(Path.GetDirectoryName(path)!, "s2c-relay.sock") : path;
    }
}
