using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace S2cd.Tests.Support;

/// <summary>
/// A cluster of real nats-server processes (Debian's nats-server) on loopback ports, with a user and password for
/// clients; gone when disposed.
/// </summary>
internal sealed class NatsCluster : IAsyncDisposable
{
    public const string User = "s2c";
    public const string Password = "fabric-secret";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private readonly List<Node> _nodes = [];
    private readonly NatsTls? _tls;

    private NatsCluster(NatsTls? tls) => _tls = tls;

    /// <summary>Where Debian puts nats-server.</summary>
    public static string Binary => File.Exists("/usr/bin/nats-server") ? "/usr/bin/nats-server" : "/usr/sbin/nats-server";

    /// <summary>The client port of each node, as the node reported it after binding port 0.</summary>
    public int[] Ports => _nodes.Select(n => n.ClientPort).ToArray();

    /// <summary>The process ids of the nodes (for the benchmark's CPU figures).</summary>
    public IEnumerable<int> ProcessIds => _nodes.Where(n => !n.Process.HasExited).Select(n => n.Process.Id);

    /// <summary>nats://127.0.0.1:PORT of node <paramref name="node"/>.</summary>
    public string Url(int node) => $"{(_tls is null ? "nats" : "tls")}://127.0.0.1:{_nodes[node].ClientPort}";

    /// <summary>
    /// Starts <paramref name="nodes"/> servers, each on ports it binds itself (nats-server's -1) and reports, the later
    /// ones routed to the first; returns once every node has a route to every other (read from its /routez). With
    /// <paramref name="tls"/>, clients must speak TLS to a server certificate of that CA and show a client
    /// certificate of it.
    /// </summary>
    public static async Task<NatsCluster> StartAsync(int nodes = 3, NatsTls? tls = null)
    {
        var cluster = new NatsCluster(tls);
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                var seed = i == 0 ? null : $"nats://127.0.0.1:{cluster._nodes[0].RoutePort}";
                cluster._nodes.Add(await cluster.StartNodeAsync(seed).ConfigureAwait(false));
            }

            await cluster.WaitForRoutesAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills node <paramref name="node"/> with SIGKILL.</summary>
    public void Kill(int node)
    {
        var server = _nodes[node];
        if (!server.Process.HasExited)
        {
            server.Process.Kill();
            server.Process.WaitForExit(5000);
        }
    }

    public ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Count; i++)
        {
            Kill(i);
            _nodes[i].EndWithTest.Dispose();
            _nodes[i].Process.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task<Node> StartNodeAsync(string? seed)
    {
        var info = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "-a", "127.0.0.1", "-p", "-1", "-m", "-1",
            "--user", User, "--pass", Password,
            "--cluster_name", "s2c", "--cluster", "nats://127.0.0.1:-1",
        })
        {
            info.ArgumentList.Add(arg);
        }

        if (seed is not null)
        {
            info.ArgumentList.Add("--routes");
            info.ArgumentList.Add(seed);
        }

        if (_tls is { } tls)
        {
            foreach (var arg in new[] { "--tlsverify", "--tlscert", tls.ServerCertificate, "--tlskey", tls.ServerKey, "--tlscacert", tls.Ca })
            {
                info.ArgumentList.Add(arg);
            }
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        var endWithTest = TestProcesses.EndWithTest(process);
        var client = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var route = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var monitor = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        DataReceivedEventHandler read = (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            Listening(line, "Listening for client connections on ", client);
            Listening(line, "Listening for route connections on ", route);
            Listening(line, "Starting http monitor on ", monitor);
        };
        process.OutputDataReceived += read;
        process.ErrorDataReceived += read;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var ports = await Task.WhenAll(client.Task, route.Task, monitor.Task).WaitAsync(StartLimit).ConfigureAwait(false);
            return new Node(process, endWithTest, ports[0], ports[1], ports[2]);
        }
        catch (TimeoutException)
        {
            process.Kill();
            endWithTest.Dispose();
            lock (log)
            {
                throw new InvalidOperationException($"nats-server did not report its ports within {StartLimit.TotalSeconds:0} s:\n{log}");
            }
        }
    }

    private static void Listening(string line, string marker, TaskCompletionSource<int> port)
    {
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            var address = line[(at + marker.Length)..].Trim();
            port.TrySetResult(int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Polls every node's /routez until each counts a route to each of the others.</summary>
    private async Task WaitForRoutesAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartLimit;
        var wanted = _nodes.Count - 1;
        while (true)
        {
            var routes = new List<int>();
            foreach (var node in _nodes)
            {
                var json = await http.GetStringAsync(new Uri($"http://127.0.0.1:{node.MonitorPort}/routez")).ConfigureAwait(false);
                using var doc = System.Text.Json.JsonDocument.Parse(json);
                routes.Add(doc.RootElement.GetProperty("num_routes").GetInt32());
            }

            if (routes.All(r => r >= wanted))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the NATS cluster's routes did not form within {StartLimit.TotalSeconds:0} s (routes per node: {string.Join(", ", routes)}, wanted {wanted})");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private sealed record Node(Process Process, CancellationTokenRegistration EndWithTest, int ClientPort, int RoutePort, int MonitorPort);
}

/// <summary>
/// A private CA of the test's own and, signed by it, a server certificate for 127.0.0.1 and a client certificate:
/// PEM files in <paramref name="directory"/>.
/// </summary>
internal sealed record NatsTls(string Ca, string ServerCertificate, string ServerKey, string ClientCertificate, string ClientKey)
{
    public static NatsTls Create(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=s2c test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var files = new NatsTls(
            Path.Combine(directory, "ca.pem"),
            Path.Combine(directory, "server.pem"),
            Path.Combine(directory, "server.key"),
            Path.Combine(directory, "client.pem"),
            Path.Combine(directory, "client.key"));
        File.WriteAllText(files.Ca, ca.ExportCertificatePem());
        Issue(ca, "CN=127.0.0.1", "1.3.6.1.5.5.7.3.1", files.ServerCertificate, files.ServerKey, server: true);
        Issue(ca, "CN=s2c relay", "1.3.6.1.5.5.7.3.2", files.ClientCertificate, files.ClientKey, server: false);
        return files;
    }

    private static void Issue(X509Certificate2 ca, string subject, string usage, string certificateFile, string keyFile, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
