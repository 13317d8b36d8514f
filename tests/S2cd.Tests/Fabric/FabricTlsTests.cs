using S2cd.Tests.Packaging;
using S2cd.Tests.Support;

namespace S2cd.Tests.Fabric;

/// <summary>
/// A fabric whose NATS server has a private CA and verifies its clients (a real nats-server with tls and verify):
/// a relay given the CA and a client certificate joins it and serves; one without its certificate, or without the
/// CA, stops before listening with one line that says what is missing.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class FabricTlsTests
{
    [Fact(Timeout = 90_000)]
    public async Task ARelayWithTheCaAndItsCertificate_Joins_WithoutEither_StopsSayingWhy()
    {
        using var root = new TempDirectory();
        var tls = NatsTls.Create(root.Path);
        await using var cluster = await NatsCluster.StartAsync(nodes: 1, tls);

        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay-tls", 0,
            [.. FabricTests.Fabric(cluster, 0, NatsCluster.Password), "--Relay:FabricCa", tls.Ca, "--Relay:FabricCertificate", tls.ClientCertificate, "--Relay:FabricCertificateKey", tls.ClientKey]);
        await using var _ = relay;
        Assert.Contains("joined its fabric", relay.Output, StringComparison.Ordinal);
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "over-tls")).ExitCode);
        var status = await AttachRunner.RunAsync(relay.SocketPath, "status");
        Assert.Contains("Fabric     connected", status.Stdout, StringComparison.Ordinal);

        await using var noCertificate = DaemonProcess.Start(root, "relay-no-cert", ["--role", "relay", "--listen", "127.0.0.1:0", .. FabricTests.Fabric(cluster, 0, NatsCluster.Password), "--Relay:FabricCa", tls.Ca]);
        Assert.True(await noCertificate.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the relay without a client certificate stopped");
        Assert.NotEqual(0, noCertificate.ExitCode);
        Assert.Contains("cannot join its fabric", noCertificate.Output, StringComparison.Ordinal);
        Assert.Contains("Relay:FabricCertificate", noCertificate.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("listens on", noCertificate.Output, StringComparison.Ordinal);

        await using var noCa = DaemonProcess.Start(root, "relay-no-ca", ["--role", "relay", "--listen", "127.0.0.1:0", .. FabricTests.Fabric(cluster, 0, NatsCluster.Password)]);
        Assert.True(await noCa.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the relay without the CA stopped");
        Assert.NotEqual(0, noCa.ExitCode);
        Assert.Contains("cannot join its fabric", noCa.Output, StringComparison.Ordinal);
        Assert.Contains("Relay:FabricCa", noCa.Output, StringComparison.Ordinal);
    }
}
