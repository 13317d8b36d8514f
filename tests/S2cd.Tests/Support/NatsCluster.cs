using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace S2cd.Tests.Support;

/// <summary>
/// A cluster of real nats-server processes (Debian's nats-server) on loopback ports, with a user and password for
/// clients; gone when disposed.
/// </summary>
internal sealed class NatsCluster : IAsyncDisposable
{
    public const string User = "s2c";
    public const string Password = "fabric-secret";
    private readonly List<Process?> _servers = [];

    private NatsCluster(int[] ports, int[] routes)
    {
        Ports = ports;
        Routes = routes;
    }

    /// <summary>Where Debian puts nats-server.</summary>
    public static string Binary => File.Exists("/usr/bin/nats-server") ? "/usr/bin/nats-server" : "/usr/sbin/nats-server";

    public int[] Ports { get; }

    public int[] Routes { get; }

    /// <summary>The process ids of the nodes (for the benchmark's CPU figures).</summary>
    public IEnumerable<int> ProcessIds => _servers.Where(p => p is { HasExited: false }).Select(p => p!.Id);

    /// <summary>nats://127.0.0.1:PORT of node <paramref name="node"/>.</summary>
    public string Url(int node) => $"nats://127.0.0.1:{Ports[node]}";

    public static async Task<NatsCluster> StartAsync(int nodes = 3)
    {
        var ports = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        var routes = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        var cluster = new NatsCluster(ports, routes);
        for (var i = 0; i < nodes; i++)
        {
            cluster._servers.Add(null);
            cluster.StartNode(i);
        }

        for (var i = 0; i < nodes; i++)
        {
            await WaitListeningAsync(ports[i]).ConfigureAwait(false);
        }

        // Routes form within a second or so; give them that before anyone relies on the cluster.
        await Task.Delay(1500).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>Kills node <paramref name="node"/> with SIGKILL.</summary>
    public void Kill(int node)
    {
        if (_servers[node] is { HasExited: false } server)
        {
            server.Kill();
            server.WaitForExit(5000);
        }
    }

    public ValueTask DisposeAsync()
    {
        for (var i = 0; i < _servers.Count; i++)
        {
            Kill(i);
            _servers[i]?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private void StartNode(int i)
    {
        var info = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var others = string.Join(',', Routes.Where((_, n) => n != i).Select(r => $"nats://127.0.0.1:{r}"));
        foreach (var arg in new[]
        {
            "-a", "127.0.0.1", "-p", Ports[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--user", User, "--pass", Password,
            "--cluster_name", "s2c", "--cluster", $"nats://127.0.0.1:{Routes[i]}", "--routes", others,
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _servers[i] = process;
    }

    private static async Task WaitListeningAsync(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"nats-server did not listen on {port}");
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
