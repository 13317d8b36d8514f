using System.Net;
using System.Net.Sockets;
using S2cd.Contract;
using S2cd.Impair;
using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// Media over UDP between real daemons and a real relay, some through the link impairer: the path is used when
/// datagrams get through, the TLS link carries media when they do not and gives it back when they do, a member
/// that changes address is followed, and forged or replayed datagrams change nothing but a counter.
/// </summary>
public sealed class DatagramPathTests
{
    private static readonly string[] Fast = ["--Conference:ReconnectMaxSeconds", "1", "--Audio:Enabled", "false"];

    [Fact(Timeout = 120_000)]
    public async Task TwoDaemons_SendMediaAsDatagrams_AndSeeEachOther()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", Fast);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", Fast);
        await using var a = await JoinAsync(alice);
        await using var b = await JoinAsync(bob);
        await SeesVideoAsync(a, "bob");
        await SeesVideoAsync(b, "alice");
        Assert.Equal(MediaPathKind.Udp, (await a.StatusAsync()).MediaPath?.Kind);
        Assert.Equal(MediaPathKind.Udp, (await b.StatusAsync()).MediaPath?.Kind);
        Assert.Contains("Media path udp", (await AttachRunner.RunAsync(alice.SocketPath, "status")).Stdout, StringComparison.Ordinal);
        await using var relayControl = await TestControlClient.ConnectAsync(relay.SocketPath);

        // Counted as they come: with the native programs the checks above can be done within a few dozen.
        await Eventually.TrueAsync(async () => (await relayControl.StatusAsync()).RelayDatagramsReceived > 50, TimeSpan.FromSeconds(10), "the relay counts the datagrams");

        // A chat message, which goes on the TLS link while the pictures go as datagrams, reaches bob all the same.
        await a.SayAsync("while the pictures go by UDP");
        await Eventually.TrueAsync(async () => (await b.ChatAsync()).Any(m => m.Text == "while the pictures go by UDP"), TimeSpan.FromSeconds(10), "bob gets the message");
    }

    [Fact(Timeout = 120_000)]
    public async Task UdpBlocked_MediaGoesOverTls_AndMovesBackWhenUdpWorks()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var impairer = LinkImpairer.Start(new IPEndPoint(IPAddress.Loopback, port));
        impairer.Udp = new UdpImpairment { Blocked = true };
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", Fast);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{impairer.Port}", Fast);
        await using var a = await JoinAsync(alice);
        await using var b = await JoinAsync(bob);

        // Bob's datagrams never arrive: he still sees alice and she sees him, over his TLS link.
        await SeesVideoAsync(b, "alice");
        await SeesVideoAsync(a, "bob");
        await Eventually.TrueAsync(async () => (await b.StatusAsync()).MediaPath is { Kind: MediaPathKind.Tls, WhyNotUdp: { } why } && why.Contains("UDP blocked", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "bob's status says UDP is blocked");
        Assert.Equal(MediaPathKind.Udp, (await a.StatusAsync()).MediaPath?.Kind);
        Assert.Contains("Media path tls", (await AttachRunner.RunAsync(bob.SocketPath, "status")).Stdout, StringComparison.Ordinal);

        impairer.Udp = new UdpImpairment();
        await Eventually.TrueAsync(async () => (await b.StatusAsync()).MediaPath?.Kind == MediaPathKind.Udp, TimeSpan.FromSeconds(10), "bob back on UDP");
        var before = impairer.UdpForwarded;
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.True(impairer.UdpForwarded - before > 20, "media flows as datagrams again");
        await SeesVideoAsync(a, "bob");

        // UDP stops in the middle of the call: bob notices the silence and goes back to his TLS link.
        impairer.Udp = new UdpImpairment { Blocked = true };
        await Eventually.TrueAsync(async () => (await b.StatusAsync()).MediaPath?.Kind == MediaPathKind.Tls, TimeSpan.FromSeconds(10), "bob back on TLS");
        await SeesVideoAsync(a, "bob");
        await SeesVideoAsync(b, "alice");
    }

    private static readonly TimeSpan DatagramPathSilence = TimeSpan.FromSeconds(2);

    [Fact(Timeout = 120_000)]
    public async Task AMemberThatChangesAddress_IsFollowed_WithoutARejoin()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var impairer = LinkImpairer.Start(new IPEndPoint(IPAddress.Loopback, port));
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", Fast);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{impairer.Port}", Fast);
        await using var a = await JoinAsync(alice);
        await using var b = await JoinAsync(bob);
        await SeesVideoAsync(a, "bob");
        await Eventually.TrueAsync(async () => (await b.StatusAsync()).MediaPath?.Kind == MediaPathKind.Udp, TimeSpan.FromSeconds(10), "bob on UDP");
        var bobId = (await a.WhoAsync()).Single(p => p.Name == "bob").Id;

        impairer.ChangeSourceAddress();
        await Eventually.TrueAsync(
            () => Task.FromResult(relay.Output.Split('\n').Count(l => l.Contains("bob (#", StringComparison.Ordinal) && l.Contains("sends datagrams from", StringComparison.Ordinal)) >= 2),
            TimeSpan.FromSeconds(10),
            "the relay follows bob's new address");
        var seen = (await a.WhoAsync()).Single(p => p.Name == "bob");
        Assert.Equal(bobId, seen.Id);

        // Datagrams flow both ways through the new address, for longer than bob would wait before giving up on UDP.
        var (up, down) = (impairer.UdpForwarded, impairer.UdpFromTarget);
        await Task.Delay(DatagramPathSilence + TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.True(impairer.UdpForwarded - up > 40, "datagrams flow from bob's new address");
        Assert.True(impairer.UdpFromTarget - down > 40, "datagrams flow to bob's new address");
        Assert.Equal(MediaPathKind.Udp, (await b.StatusAsync()).MediaPath?.Kind);
        await SeesVideoAsync(a, "bob");
        await SeesVideoAsync(b, "alice");
    }

    [Fact(Timeout = 120_000)]
    public async Task ForgedAndReplayedDatagrams_AreDroppedAndCounted_AndTheCallGoesOn()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var impairer = LinkImpairer.Start(new IPEndPoint(IPAddress.Loopback, port));
        byte[]? captured = null;
        impairer.ClientDatagram = d => Interlocked.CompareExchange(ref captured, d.Length > 200 ? d : null, null);
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", Fast);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{impairer.Port}", Fast);
        await using var a = await JoinAsync(alice);
        await using var b = await JoinAsync(bob);
        await SeesVideoAsync(a, "bob");
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref captured) is not null), TimeSpan.FromSeconds(10), "a media datagram of bob's");
        await using var relayControl = await TestControlClient.ConnectAsync(relay.SocketPath);
        var rejectedBefore = (await relayControl.StatusAsync()).RelayDatagramsRejected;

        // From another socket: bob's datagram again (a replay), the same with one bit flipped (a forgery under his
        // token), random bytes, and an empty datagram.
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var relayUdp = new IPEndPoint(IPAddress.Loopback, port);
        var forged = captured!.ToArray();
        forged[^1] ^= 0x80;
        foreach (var datagram in new[] { captured!, forged, System.Security.Cryptography.RandomNumberGenerator.GetBytes(300), [] })
        {
            attacker.SendTo(datagram, relayUdp);
        }

        await Eventually.TrueAsync(async () => (await relayControl.StatusAsync()).RelayDatagramsRejected - rejectedBefore >= 4, TimeSpan.FromSeconds(10), "four datagrams rejected");
        Assert.DoesNotContain(relay.Output.Split('\n'), l => l.Contains("sends datagrams from", StringComparison.Ordinal) && l.Contains($":{((IPEndPoint)attacker.LocalEndPoint!).Port}", StringComparison.Ordinal));
        await SeesVideoAsync(a, "bob");
        Assert.Equal(MediaPathKind.Udp, (await b.StatusAsync()).MediaPath?.Kind);
    }

    private static async Task<TestControlClient> JoinAsync(DaemonProcess daemon)
    {
        var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
        await client.JoinAsync("udp");
        return client;
    }

    /// <summary>Waits until <paramref name="watcher"/> receives pictures from <paramref name="name"/>.</summary>
    private static Task SeesVideoAsync(TestControlClient watcher, string name) =>
        Eventually.TrueAsync(
            async () => (await watcher.WhoAsync()).Any(p => p.Name == name && p.VideoFps > 5),
            TimeSpan.FromSeconds(20),
            $"pictures from {name}");
}
