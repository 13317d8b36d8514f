using System.Diagnostics;
using System.Net.Sockets;
using S2cd.Contract;
using StreamJsonRpc;

namespace S2cd.Benchmarks;

/// <summary>Starting real s2cd processes for the benchmarks, finding their relay, and talking to their control sockets.</summary>
internal static class BenchDaemons
{
    /// <summary>
    /// Starts s2cd (the build's s2cd.dll, or the native one S2CD_TEST_DAEMON names) with its own socket
    /// (DIRECTORY/NAME.sock) and state directory. Standard output stays readable
    /// for <see cref="ReadRelayListenAsync"/> when <paramref name="keepStdout"/> is set; everything else is drained.
    /// With <paramref name="notifySocket"/> it is given NOTIFY_SOCKET, and says READY=1 there; <paramref name="native"/>
    /// names a native s2cd for this one.
    /// </summary>
    public static Process Start(string directory, string name, IEnumerable<string> args, bool keepStdout = false, string? home = null, string? notifySocket = null, string? native = null)
    {
        // A native s2cd (a NativeAOT publish, as the .deb ships) to measure instead of s2cd.dll: this one's, or the
        // one S2CD_TEST_DAEMON names.
        native ??= Environment.GetEnvironmentVariable("S2CD_TEST_DAEMON") is { Length: > 0 } path ? path : null;
        var info = new ProcessStartInfo(native ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (native is null)
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "s2cd.dll"));
        }
        // A configuration of its own: an installed /etc/s2cd/s2cd.json must not change what is measured.
        var config = Path.Combine(directory, name + ".json");
        File.WriteAllText(config, "{}\n");
        foreach (var arg in new[] { "--socket", SocketPath(directory, name), "--state-dir", Path.Combine(directory, name + ".state"), "--Control:Group", "", "--config", config }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        if (home is not null)
        {
            info.Environment["HOME"] = home;
        }

        if (notifySocket is not null)
        {
            info.Environment["NOTIFY_SOCKET"] = notifySocket;
        }

        var process = Process.Start(info)!;
        _ = process.StandardError.ReadToEndAsync();
        if (!keepStdout)
        {
            _ = process.StandardOutput.ReadToEndAsync();
        }

        return process;
    }

    public static string SocketPath(string directory, string name) => Path.Combine(directory, name + ".sock");

    /// <summary>Reads the daemon's log until its relay reports where it listens; returns HOST:PORT and drains the rest.</summary>
    public static async Task<string> ReadRelayListenAsync(Process daemon) => (await ReadRelayAsync(daemon).ConfigureAwait(false)).Endpoint;

    /// <summary>
    /// Reads the daemon's log until its relay reports where it listens; returns HOST:PORT and the TLS certificate's
    /// fingerprint (logged just before; null for plain TCP), and drains the rest.
    /// </summary>
    public static async Task<(string Endpoint, string? Fingerprint)> ReadRelayAsync(Process daemon)
    {
        string? fingerprint = null;
        while (await daemon.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var mark = line.IndexOf("SHA256:", StringComparison.Ordinal);
            if (mark >= 0 && line.Contains("certificate", StringComparison.Ordinal))
            {
                fingerprint = line.Substring(mark, 50);
            }

            var at = line.IndexOf("listens on ", StringComparison.Ordinal);
            if (at >= 0 && line.Contains("relay", StringComparison.Ordinal))
            {
                _ = daemon.StandardOutput.ReadToEndAsync();
                return (line[(at + "listens on ".Length)..].Trim(), fingerprint);
            }
        }

        throw new InvalidOperationException("the daemon did not start its relay");
    }

    /// <summary>Connects to a control socket (waiting for it to appear) and says hello.</summary>
    public static async Task<JsonRpc> ConnectAsync(string socketPath)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).ConfigureAwait(false);
                var stream = new NetworkStream(socket, ownsSocket: true);
                var rpc = new JsonRpc(new NewLineDelimitedMessageHandler(stream, stream, ControlJson.CreateFormatter()));
                rpc.StartListening();
                await rpc.InvokeAsync<HelloResult>(ControlProtocol.Methods.Hello, ControlProtocol.Version, "bench").ConfigureAwait(false);
                return rpc;
            }
            catch (SocketException) when (attempt < 200)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }
}
