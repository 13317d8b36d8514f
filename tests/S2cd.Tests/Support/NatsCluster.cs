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
    private readonly List<Process?> _servers = [];

    private readonly NatsTls? _tls;

    private NatsCluster(int[] ports, int[] routes, NatsTls? tls)
    {
        Ports = ports;
        Routes = routes;
        _tls = tls;
    }

    /// <summary>Where Debian puts nats-server.</summary>
    public static string Binary => File.Exists("/usr/bin/nats-server") ? "/usr/bin/nats-server" : "/usr/sbin/nats-server";

    public int[] Ports { get; }

    public int[] Routes { get; }

    /// <summary>The process ids of the nodes (for the benchmark's CPU figures).</summary>
    public IEnumerable<int> ProcessIds => _servers.Where(p => p is { HasExited: false }).Select(p => p!.Id);

    /// <summary>nats://127.0.0.1:PORT of node <paramref name="node"/>.</summary>
    public string Url(int node) => $"{(_tls is null ? "nats" : "tls")}://127.0.0.1:{Ports[node]}";

    /// <summary>
    /// Starts <paramref name="nodes"/> servers; with <paramref name="tls"/>, clients must speak TLS to a server
    /// certificate of that CA and show a client certificate of it.
    /// </summary>
    public static async Task<NatsCluster> StartAsync(int nodes = 3, NatsTls? tls = null)
    {
        var ports = Enumerable.Range(0, nodes).Select(_ => LoopbackPorts.Free()).ToArray();
        var routes = Enumerable.Range(0, nodes).Select(_ => LoopbackPorts.Free()).ToArray();
        var cluster = new NatsCluster(ports, routes, tls);
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

        if (_tls is { } tls)
        {
            foreach (var arg in new[] { "--tlsverify", "--tlscert", tls.ServerCertificate, "--tlskey", tls.ServerKey, "--tlscacert", tls.Ca })
            {
                info.ArgumentList.Add(arg);
            }
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
