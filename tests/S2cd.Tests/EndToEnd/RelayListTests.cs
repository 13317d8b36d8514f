using System.Net;
using System.Net.Sockets;
using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// A daemon given several relays (Conference:Relay or join --relay A,B) tries them in turn: one that cannot be
/// reached, or that refuses as busy, sends it to the next. A busy relay says so in its own status and in the
/// status of a daemon that had no other.
/// </summary>
public sealed class RelayListTests
{
    [Fact(Timeout = 120_000)]
    public async Task ABusyOrUnreachableRelay_SendsTheDaemonToTheNextOfItsList_AndStatusSaysWhy()
    {
        using var root = new TempDirectory();
        var (busy, busyPort) = await DaemonProcess.StartRelayAsync(root, "busy", 0, "--Relay:TestLoad", "95");
        await using var _ = busy;
        var (good, goodPort) = await DaemonProcess.StartRelayAsync(root, "good");
        await using var __ = good;
        using var closed = LoopbackPorts.Closed();
        var closedPort = closed.Port;

        // The busy relay's own status says it refuses.
        var relayStatus = await AttachRunner.RunAsync(busy.SocketPath, "status");
        Assert.Contains("busy, refusing new joins", relayStatus.Stdout, StringComparison.Ordinal);

        // Unreachable, then busy, then good: the daemon ends up on the good one.
        var list = $"127.0.0.1:{closedPort},127.0.0.1:{busyPort},127.0.0.1:{goodPort}";
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", list, "--Audio:Enabled", "false");
        var join = await AttachRunner.RunAsync(alice.SocketPath, "join", "spread");
        Assert.Equal(0, join.ExitCode);
        var status = await AttachRunner.RunAsync(alice.SocketPath, "status", "--json");
        Assert.Contains($"\"relay\":\"127.0.0.1:{goodPort}\"", status.Stdout.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        // With only the busy relay, the join fails with the reason, and status keeps it.
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{busyPort}", "--Audio:Enabled", "false");
        var refused = await AttachRunner.RunAsync(bob.SocketPath, "join", "spread");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("relay busy", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("relay busy", (await AttachRunner.RunAsync(bob.SocketPath, "status")).Stdout, StringComparison.Ordinal);

        // A list is checked like one relay (a usage error, before the daemon is asked).
        var bad = await AttachRunner.RunAsync(bob.SocketPath, "join", "spread", "--relay", $"127.0.0.1:{goodPort},nohostport");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("relay 2 of 2", bad.Stderr, StringComparison.Ordinal);
    }
}
