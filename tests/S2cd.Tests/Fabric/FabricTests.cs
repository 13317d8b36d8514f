using S2cd.Contract;
using System.Diagnostics;
using System.Text;
using NATS.Client.Core;
using S2cd.Tests.Packaging;
using S2cd.Tests.Support;

namespace S2cd.Tests.Fabric;

/// <summary>
/// Relays federated through a real NATS cluster (three nats-server processes on loopback): members of one session
/// on different relays see each other, their changes and their video; what crosses the cluster names nobody and
/// shows no picture; a relay killed takes its members out of everyone's list; wrong credentials stop a relay with
/// one line.
/// </summary>
[Collection(RealtimeCollection.Name)]
public sealed class FabricTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

    [Fact(Timeout = 60_000)]
    public async Task WrongCredentials_StopTheRelayWithOneLineThatSaysWhy()
    {
        using var root = new TempDirectory();
        await using var cluster = await NatsCluster.StartAsync(nodes: 1);
        await using var relay = DaemonProcess.Start(root, "relay", ["--role", "relay", "--listen", "127.0.0.1:0", .. Fabric(cluster, 0, "wrong-password")]);
        Assert.True(await relay.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the relay stopped");
        Assert.NotEqual(0, relay.ExitCode);
        Assert.Contains("cannot join its fabric", relay.Output, StringComparison.Ordinal);
        Assert.Contains("authorization refused", relay.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", relay.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task MembersOnTwoRelays_SeeEachOtherTheirMuteAndVideo_TheClusterLearnsNothing_AndAKilledRelaysMembersGo()
    {
        using var root = new TempDirectory();
        await using var cluster = await NatsCluster.StartAsync();
        var recorded = new List<byte[]>();
        await using var spy = new NatsConnection(NatsOpts.Default with
        {
            Url = cluster.Url(2),
            AuthOpts = NatsAuthOpts.Default with { Username = NatsCluster.User, Password = NatsCluster.Password },
        });
        await spy.ConnectAsync();
        using var stopSpy = new CancellationTokenSource();
        var spying = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in spy.SubscribeAsync<byte[]>(">", cancellationToken: stopSpy.Token))
                {
                    lock (recorded)
                    {
                        recorded.Add([.. Encoding.UTF8.GetBytes(message.Subject), .. message.Data ?? []]);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, TestContext.Current.CancellationToken);

        var (a, aPort) = await DaemonProcess.StartRelayAsync(root, "relay-a", 0, Fabric(cluster, 0, NatsCluster.Password));
        await using var _ = a;
        var (b, bPort) = await DaemonProcess.StartRelayAsync(root, "relay-b", 0, Fabric(cluster, 1, NatsCluster.Password));
        await using var __ = b;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{aPort},127.0.0.1:{bPort}", "--Audio:Enabled", "false");
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{bPort}", "--Audio:Enabled", "false");
        Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "federated")).ExitCode);
        Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "join", "federated")).ExitCode);

        // Each lists the other, from either side.
        await using var aliceControl = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var bobControl = await TestControlClient.ConnectAsync(bob.SocketPath);
        await Eventually.TrueAsync(async () => (await aliceControl.WhoAsync()).Any(p => p.Name == "bob"), TimeSpan.FromSeconds(10), "alice lists bob");
        await Eventually.TrueAsync(async () => (await bobControl.WhoAsync()).Any(p => p.Name == "alice"), TimeSpan.FromSeconds(10), "bob lists alice");

        // Bob mutes: alice sees it within a second (from the call that mutes to alice's list saying so).
        var clock = Stopwatch.StartNew();
        Assert.True((await bobControl.SetMutedAsync(true)).Muted);
        await Eventually.TrueAsync(async () => (await aliceControl.WhoAsync()).Any(p => p.Name == "bob" && p.Muted), TimeSpan.FromSeconds(5), "alice sees bob muted");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"bob's mute reached alice after {clock.Elapsed.TotalMilliseconds:0} ms");

        // Alice's test pattern reaches bob through both relays and the cluster.
        await Eventually.TrueAsync(async () => (await bobControl.WhoAsync()).Any(p => p.Name == "alice" && p.VideoFps > 5), TimeSpan.FromSeconds(15), "bob receives alice's video");
        Assert.Contains("Fabric     connected", (await AttachRunner.RunAsync(b.SocketPath, "status")).Stdout, StringComparison.Ordinal);

        // A chat message crosses the relays too (alice's key is bob's by now: her pictures open).
        await aliceControl.SayAsync("across the fabric: fabric-chat-91d2 ✓");
        await Eventually.TrueAsync(
            async () => (await bobControl.ChatAsync()).Any(m => m.From == "alice" && m.Text == "across the fabric: fabric-chat-91d2 ✓"),
            TimeSpan.FromSeconds(5),
            "bob gets alice's message through the fabric");

        // Everything the cluster carried: no session name, no display name, no JPEG, no chat.
        await stopSpy.CancelAsync();
        await spying;
        byte[][] all;
        lock (recorded)
        {
            all = [.. recorded];
        }

        Assert.True(all.Length > 10, $"{all.Length} messages recorded");
        Assert.Contains(all, m => m.Length > 2000);
        // Needles of four bytes or more: a three-byte one turns up by chance in this much ciphertext about one run in
        // seven ("bob" alone is looked for as the fabric writes a name, after its length).
        byte[][] secrets = [Encoding.UTF8.GetBytes("federated"), Encoding.UTF8.GetBytes("alice"), [3, .. "bob"u8], [0xFF, 0xD8, 0xFF, 0xE0], Encoding.UTF8.GetBytes("fabric-chat-91d2")];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(all, m => m.AsSpan().IndexOf(secret) >= 0);
        }

        // The NATS node under relay A goes: its client moves to another node of the cluster, and alice's picture
        // keeps reaching bob.
        cluster.Kill(0);
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        Assert.True((await bobControl.WhoAsync()).Single(p => p.Name == "alice").VideoFps > 5, "alice's video reaches bob after the NATS node under her relay went");

        // Relay A is killed: alice, as she was on it, goes from bob's list within 5 s; her daemon fails over to
        // relay B, the next of its list, and she is back in the session by herself.
        var aliceOnA = (await bobControl.WhoAsync()).Single(p => p.Name == "alice").Id;
        a.Kill();
        clock.Restart();
        await Eventually.TrueAsync(async () => !(await bobControl.WhoAsync()).Any(p => p.Id == aliceOnA), TimeSpan.FromSeconds(10), "alice's member on relay A gone from bob's list");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"alice's member on relay A left bob's list {clock.Elapsed.TotalSeconds:0.0} s after the relay was killed");
        await Eventually.TrueAsync(async () => (await bobControl.WhoAsync()).Any(p => p.Name == "alice" && p.Id != aliceOnA), TimeSpan.FromSeconds(20), "alice back through relay B");
        var status = await aliceControl.StatusAsync();
        Assert.Equal($"127.0.0.1:{bPort}", status.Relay);
    }

    [Fact(Timeout = 120_000)]
    public async Task AToneFromAMemberOnOneRelay_ComesOutOfAMemberOnAnother_At440HzWithoutGaps()
    {
        using var root = new TempDirectory();
        await using var cluster = await NatsCluster.StartAsync(nodes: 2);
        var (a, aPort) = await DaemonProcess.StartRelayAsync(root, "relay-a", 0, Fabric(cluster, 0, NatsCluster.Password));
        await using var _ = a;
        var (b, bPort) = await DaemonProcess.StartRelayAsync(root, "relay-b", 0, Fabric(cluster, 1, NatsCluster.Password));
        await using var __ = b;
        using var aliceRig = new AudioRig(root.Sub("alice"));
        using var bobRig = new AudioRig(root.Sub("bob"));
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{aPort}", AudioCall.Member.ToneArguments);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{bPort}", AudioCall.Member.ToneArguments);
        foreach (var daemon in new[] { alice, bob })
        {
            await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);

            // Cameras off: this listens for gaps of milliseconds on a 2-core machine.
            await client.Rpc.InvokeAsync<S2cd.Contract.StatusResult>(S2cd.Contract.ControlProtocol.Methods.SetCamera, false);
            await client.JoinAsync("sound");
            await Eventually.TrueAsync(
                async () => (await client.StatusAsync()) is { Microphone.Condition: DeviceCondition.On, Speaker.Condition: DeviceCondition.On },
                TimeSpan.FromSeconds(15),
                "microphone and speaker on");
        }

        // Someone subscribed to everything on the cluster meanwhile.
        await using var spy = new NatsConnection(NatsOpts.Default with
        {
            Url = cluster.Url(1),
            AuthOpts = NatsAuthOpts.Default with { Username = NatsCluster.User, Password = NatsCluster.Password },
        });
        var recorded = new List<byte[]>();
        using var stopSpy = new CancellationTokenSource();
        var spying = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in spy.SubscribeAsync<byte[]>(">", cancellationToken: stopSpy.Token))
                {
                    recorded.Add(message.Data ?? []);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, TestContext.Current.CancellationToken);

        aliceRig.FeedTone(440, 0.3);
        var output = await bobRig.RecordAsync(4, "alice's tone at bob's speaker, through two relays and the cluster");
        await stopSpy.CancelAsync();
        await spying;

        // The tone crossed the cluster in about 200 packets, and nobody without the keys can hear it there.
        Assert.True(recorded.Count(m => m.Length < 600) > 100, $"{recorded.Count} messages recorded");
        var share = ToneSearch.StrongestShare(recorded, 440);
        Assert.True(share < 0.05, $"a 440 Hz tone decodes from what the cluster carried (share {share:0.00})");
        var gap = Signal.LongestSilenceMs(output, AudioRig.Rate, 300);
        Assert.True(gap <= 60, $"silent gap of {gap} ms");
        Assert.InRange(Signal.Frequency(output, AudioRig.Rate), 436, 444);

        // The NATS node under alice's relay goes: its client moves to the other node, and bob loses at most a second.
        var from = bobRig.OutputLength;
        cluster.Kill(0);
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var after = bobRig.Output()[from..];
        var lost = Signal.LongestSilenceMs(after, AudioRig.Rate, 300);
        Assert.True(lost <= 1000, $"{lost} ms of silence at bob after the NATS node under alice's relay was killed");

        // What the operator of relay A reads: the connection lost, and back on another node.
        Assert.Contains("lost its fabric connection", a.Output, StringComparison.Ordinal);
        Assert.Contains("is on its fabric (NATS node", a.Output, StringComparison.Ordinal);
        Assert.InRange(Signal.Frequency(after[^(AudioRig.Rate)..], AudioRig.Rate), 436, 444);
    }

    [Fact(Timeout = 30_000)]
    public async Task TheShippedClusterConfiguration_IsOneNatsServerAccepts()
    {
        var (code, output) = await Run.ProgramAsync(NatsCluster.Binary, "-c", Path.Combine(Run.RepositoryRoot(), "packaging", "nats-cluster.conf"), "-t");
        Assert.True(code == 0, output);
        Assert.Contains("is valid", output, StringComparison.Ordinal);
    }

    /// <summary>A relay's arguments for node <paramref name="node"/> of <paramref name="cluster"/>, with the tests' fabric key.</summary>
    internal static string[] Fabric(NatsCluster cluster, int node, string password) =>
    [
        "--fabric", cluster.Url(node),
        "--Relay:FabricUser", NatsCluster.User,
        "--Relay:FabricPassword", password,
        "--Relay:FabricKey", Key,
    ];
}
