using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>"Standup" and "standup" are one call: the relay groups them, and end-to-end keys and the passphrase bind to the one form.</summary>
public sealed class SessionNameCaseTests
{
    [Fact(Timeout = 90_000)]
    public async Task TwoSpellingsOfOneName_AreOneCall_VerifiedUnderOnePassphrase()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        await using var a = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var b = await TestControlClient.ConnectAsync(bob.SocketPath);

        Assert.Equal("Standup", (await a.JoinAsync("Standup", passphrase: "one call")).Session);
        Assert.Equal("standup", (await b.JoinAsync("standup", passphrase: "one call")).Session);
        await Eventually.TrueAsync(
            async () => (await a.WhoAsync()).Any(p => p.Name == "bob" && p.Trust == Trust.Verified && p.KeyId is not null)
                && (await b.WhoAsync()).Any(p => p.Name == "alice" && p.Trust == Trust.Verified && p.KeyId is not null),
            TimeSpan.FromSeconds(20),
            "alice and bob in one call, each verifying the other under the passphrase");
        Assert.Equal((await a.StatusAsync()).CallCode, (await b.StatusAsync()).CallCode);

        // Another name is another call still.
        Assert.Equal("standup2", (await b.JoinAsync("standup2")).Session);
        await Eventually.TrueAsync(async () => (await a.WhoAsync()).All(p => p.Name != "bob"), TimeSpan.FromSeconds(10), "bob gone from alice's call");
    }
}
