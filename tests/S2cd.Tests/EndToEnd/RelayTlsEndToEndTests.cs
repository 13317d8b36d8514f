using S2cd.Contract;
using S2cd.Security;
using S2cd.Tests.Support;
using S2cd.Transport.RelayLink;

namespace S2cd.Tests.EndToEnd;

/// <summary>TLS between real daemons and a real relay: pinning on first use, a changed certificate, plain TCP.</summary>
public sealed class RelayTlsEndToEndTests
{
    private static readonly string[] Fast = ["--Relay:TimeoutSeconds", "2", "--Relay:HeartbeatSeconds", "0.5", "--Conference:ReconnectMaxSeconds", "1", "--Audio:Enabled", "false"];

    [Fact(Timeout = 120_000)]
    public async Task RelayCertificate_IsPinnedOnFirstUse_AndAChangedOneIsRefusedWithHowToAccept()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        var relayAddress = $"127.0.0.1:{port}";
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", relayAddress, Fast);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", relayAddress, Fast);
        try
        {
            var relayFingerprint = relay.LoggedRelayFingerprint();
            foreach (var daemon in new[] { alice, bob })
            {
                Assert.Equal(0, (await AttachRunner.RunAsync(daemon.SocketPath, "join", "pinned")).ExitCode);
            }

            await using var aliceWatch = await TestControlClient.ConnectAsync(alice.SocketPath);
            await Eventually.TrueAsync(async () => (await aliceWatch.WhoAsync()).Length == 2, TimeSpan.FromSeconds(10), "alice sees bob");
            var status = await AttachRunner.RunAsync(alice.SocketPath, "status");
            Assert.Contains("TLS 1.3", status.Stdout, StringComparison.Ordinal);
            Assert.Contains(relayFingerprint, status.Stdout, StringComparison.Ordinal);

            var knownRelays = Path.Combine(alice.Directory, "state", KnownRelays.FileName);
            Assert.Equal($"{relayAddress} {relayFingerprint}\n", File.ReadAllText(knownRelays));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(knownRelays));

            // The relay comes back on the same port with a new certificate (another state directory): someone
            // in the middle, or a reinstalled relay. Alice refuses it and says how to accept it.
            relay.Kill();
            await relay.DisposeAsync();
            (relay, _) = await DaemonProcess.StartRelayAsync(root, "impostor", port);
            await Eventually.TrueAsync(
                async () => (await aliceWatch.StatusAsync()).Connection == ConnectionState.Failed,
                TimeSpan.FromSeconds(15),
                "alice refuses the changed certificate");
            var refused = await AttachRunner.RunAsync(alice.SocketPath, "status");
            Assert.Contains("presented certificate", refused.Stdout, StringComparison.Ordinal);
            Assert.Contains($"remove the line for {relayAddress}", refused.Stdout, StringComparison.Ordinal);
            Assert.NotEqual(relayFingerprint, relay.LoggedRelayFingerprint());

            // Accepting it the way the message says: drop the line, join again.
            File.WriteAllText(knownRelays, string.Empty);
            Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "pinned")).ExitCode);
            await Eventually.TrueAsync(
                async () => (await aliceWatch.StatusAsync()).Connection == ConnectionState.Connected,
                TimeSpan.FromSeconds(10),
                "alice connects after accepting the new certificate");
            Assert.DoesNotContain(relayFingerprint, File.ReadAllText(knownRelays), StringComparison.Ordinal);
        }
        catch
        {
            Console.Error.WriteLine($"alice:\n{alice.Output}\nrelay:\n{relay.Output}");
            throw;
        }
        finally
        {
            await relay.DisposeAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ConfiguredFingerprint_ThatDoesNotMatch_IsRefused()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var wrong = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", [.. Fast, "--Conference:RelayFingerprint", wrong]);
        await AttachRunner.RunAsync(alice.SocketPath, "join", "s");
        await using var watch = await TestControlClient.ConnectAsync(alice.SocketPath);
        await Eventually.TrueAsync(async () => (await watch.StatusAsync()).Connection == ConnectionState.Failed, TimeSpan.FromSeconds(10), "refused");
        var status = await watch.StatusAsync();
        Assert.Contains("Conference:RelayFingerprint expects " + wrong, status.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(alice.Directory, "state", KnownRelays.FileName)) && File.ReadAllText(Path.Combine(alice.Directory, "state", KnownRelays.FileName)).Length > 0);
    }

    [Fact(Timeout = 120_000)]
    public async Task PlainTcp_OnlyWhenConfigured_AndStatusAndViewSayNotEncrypted()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay", 0, "--Relay:Tls", "false");
        await using var _ = relay;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", [.. Fast, "--Conference:Tls", "false"]);
        Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "plain")).ExitCode);
        await using var watch = await TestControlClient.ConnectAsync(alice.SocketPath);
        await Eventually.TrueAsync(async () => (await watch.StatusAsync()).Connection == ConnectionState.Connected, TimeSpan.FromSeconds(10), "connected");
        var status = await AttachRunner.RunAsync(alice.SocketPath, "status");
        Assert.Contains("not encrypted", status.Stdout, StringComparison.Ordinal);

        var viewId = await watch.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 100, Rows = 20 });
        var frame = await watch.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, viewId, 0L, 5000);
        Assert.Contains("NOT ENCRYPTED", frame.Data, StringComparison.Ordinal);

        // A daemon that wants TLS does not fall back to plain TCP with that relay.
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", Fast);
        await AttachRunner.RunAsync(bob.SocketPath, "join", "plain");
        await using var bobWatch = await TestControlClient.ConnectAsync(bob.SocketPath);
        await Eventually.TrueAsync(async () => (await bobWatch.StatusAsync()).Connection != ConnectionState.Connected && (await bobWatch.StatusAsync()).Reason?.Contains("TLS", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10), "bob refuses plain TCP");
        Assert.Single(await watch.WhoAsync());
    }

}
