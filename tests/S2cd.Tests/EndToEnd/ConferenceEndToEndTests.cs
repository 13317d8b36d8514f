using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// A relay and three participant daemons as separate processes on loopback, driven through the real
/// s2c-attach: the whole path a user takes.
/// </summary>
public sealed class ConferenceEndToEndTests
{
    [Fact(Timeout = 120_000)]
    public async Task ThreeDaemons_JoinMuteKillAndRelayRestart_EveryoneSeesItAndRejoins()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        var relayAddress = $"127.0.0.1:{port}";
        var fast = new[] { "--Relay:TimeoutSeconds", "2", "--Relay:HeartbeatSeconds", "0.5", "--Conference:ReconnectMaxSeconds", "1" };
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", relayAddress, fast);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", relayAddress, fast);
        await using var carol = await DaemonProcess.StartParticipantAsync(root, "carol", relayAddress, fast);
        DaemonProcess[] daemons = [alice, bob, carol];
        try
        {
            foreach (var daemon in daemons)
            {
                var (code, stdout, stderr) = await AttachRunner.RunAsync(daemon.SocketPath, "join", "standup");
                Assert.True(code == 0, $"join failed ({code}): {stdout}{stderr}");
                Assert.Contains("Joined standup", stdout, StringComparison.Ordinal);
            }

            // Everyone lists everyone, through s2c-attach who.
            foreach (var daemon in daemons)
            {
                await Eventually.TrueAsync(
                    async () =>
                    {
                        var (code, stdout, _) = await AttachRunner.RunAsync(daemon.SocketPath, "who");
                        return code == 0 && stdout.Contains("alice", StringComparison.Ordinal)
                            && stdout.Contains("bob", StringComparison.Ordinal) && stdout.Contains("carol", StringComparison.Ordinal);
                    },
                    TimeSpan.FromSeconds(10),
                    "who lists alice, bob and carol");
            }

            // Mute on bob shows as muted on alice and carol within 1 s.
            await using var aliceWatch = await TestControlClient.ConnectAsync(alice.SocketPath);
            await using var carolWatch = await TestControlClient.ConnectAsync(carol.SocketPath);
            var (muteCode, _, _) = await AttachRunner.RunAsync(bob.SocketPath, "mute");
            Assert.Equal(0, muteCode);
            foreach (var watcher in new[] { aliceWatch, carolWatch })
            {
                var took = await Eventually.TrueAsync(
                    async () => (await watcher.WhoAsync()).Any(p => p.Name == "bob" && p.Muted),
                    TimeSpan.FromSeconds(1),
                    "bob shows as muted");
                Assert.True(took < TimeSpan.FromSeconds(1));
            }

            var (jsonCode, json, _) = await AttachRunner.RunAsync(alice.SocketPath, "who", "--json");
            Assert.Equal(0, jsonCode);
            Assert.Contains("\"muted\": true", json, StringComparison.Ordinal);

            // Killing carol's daemon removes her from the others within 5 s.
            carol.Kill();
            await Eventually.TrueAsync(
                async () => (await aliceWatch.WhoAsync()).All(p => p.Name != "carol"),
                TimeSpan.FromSeconds(5),
                "carol is gone from alice's list");
            var bobList = await AttachRunner.RunAsync(bob.SocketPath, "who");
            Assert.DoesNotContain("carol", bobList.Stdout, StringComparison.Ordinal);

            // The relay restarts on the same port: alice and bob get back into the session by themselves.
            relay.Kill();
            await Eventually.TrueAsync(
                async () => (await aliceWatch.StatusAsync()).Connection == ConnectionState.Reconnecting,
                TimeSpan.FromSeconds(5),
                "alice reconnecting");
            var reconnecting = await AttachRunner.RunAsync(alice.SocketPath, "status");
            Assert.Contains("reconnecting", reconnecting.Stdout, StringComparison.Ordinal);
            await relay.DisposeAsync();
            // Same directory, so the same state directory and certificate: the daemons pinned it.
            (relay, _) = await DaemonProcess.StartRelayAsync(root, "relay", port);
            await Eventually.TrueAsync(
                async () =>
                {
                    var who = await aliceWatch.WhoAsync();
                    return (await aliceWatch.StatusAsync()).Connection == ConnectionState.Connected
                        && who.Any(p => p.Name == "bob" && p.Muted) && who.Length == 2;
                },
                TimeSpan.FromSeconds(15),
                "alice back in the session with bob (still muted)");
            await Eventually.TrueAsync(
                async () => (await AttachRunner.RunAsync(bob.SocketPath, "who")).Stdout.Contains("alice", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15),
                "bob sees alice again");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n--- relay\n{relay.Output}\n--- alice\n{alice.Output}\n--- bob\n{bob.Output}");
        }
        finally
        {
            await relay.DisposeAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Participant_KilledAndRestartedOnItsStateDirectory_RejoinsWithTheSameIdentityAndCallCode()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var relayAddress = $"127.0.0.1:{port}";
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", relayAddress);
        await using var watch = await TestControlClient.ConnectAsync(alice.SocketPath);
        string fingerprint;
        string callCode;
        await using (var dave = await DaemonProcess.StartParticipantAsync(root, "dave", relayAddress))
        {
            Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "room")).ExitCode);
            Assert.Equal(0, (await AttachRunner.RunAsync(dave.SocketPath, "join", "room")).ExitCode);
            await Eventually.TrueAsync(
                async () => (await watch.WhoAsync()).Any(p => p.Name == "dave" && p.Trust == Trust.Verified),
                TimeSpan.FromSeconds(10),
                "alice lists dave, verified");
            await using (var daveClient = await TestControlClient.ConnectAsync(dave.SocketPath))
            {
                fingerprint = (await daveClient.StatusAsync()).Fingerprint!;
            }

            callCode = (await watch.StatusAsync()).CallCode!;

            // kill -9 in the middle of the call: no leave, no clean close.
            dave.Signal(Interop.SIGKILL);
            Assert.True(await dave.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        }

        await Eventually.TrueAsync(async () => (await watch.WhoAsync()).Length == 1, TimeSpan.FromSeconds(10), "the relay notices dave is gone");
        Assert.NotEqual(callCode, (await watch.StatusAsync()).CallCode);

        // The same state directory: the same identity, and the same call as before once dave is back.
        await using var again = await DaemonProcess.StartParticipantAsync(root, "dave", relayAddress);
        var (code, stdout, stderr) = await AttachRunner.RunAsync(again.SocketPath, "join", "room");
        Assert.True(code == 0, stdout + stderr);
        await using var daveAgain = await TestControlClient.ConnectAsync(again.SocketPath);
        Assert.Equal(fingerprint, (await daveAgain.StatusAsync()).Fingerprint);
        await Eventually.TrueAsync(
            async () => (await watch.WhoAsync()).Any(p => p.Name == "dave" && p.Fingerprint == fingerprint && p.Trust == Trust.Verified)
                && (await watch.StatusAsync()).CallCode == callCode && (await daveAgain.StatusAsync()).CallCode == callCode,
            TimeSpan.FromSeconds(15),
            "alice lists dave again with the same fingerprint, and both have the call code of before");
    }
}
