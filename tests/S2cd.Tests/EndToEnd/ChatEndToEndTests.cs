using System.Text;
using S2cd.Contract;
using S2cd.Tests.Support;
using S2cd.Wire;
using StreamJsonRpc;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// Chat between real daemons through a real relay, every byte of the relay's link recorded in the middle (plain TCP,
/// so what is at stake is the end-to-end seal): a message reaches the others intact, is shown harmless in their
/// views, and is not in the recording unless end-to-end encryption is off; a flood is refused and the call goes on.
/// </summary>
public sealed class ChatEndToEndTests
{
    private const string Marker = "chat-marker-5c1e";
    private const string Tricky = $"{Marker} 会議は3時 🎉👩‍💻 e\u0301 \u001b[31mRED\u001b[0m \u001b]52;c;aGk=\u0007 \u001b]0;title\u0007 https://example.org/a?b=1&c=2";

    [Theory(Timeout = 120_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AMessageWithCjkEmojiAndEscapes_ReachesTwoOthersIntact_ShownHarmless_AndNeverPlainOnTheRelayLink(bool endToEnd)
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        string[] options = ["--Audio:Enabled", "false", "--Conference:EndToEnd", endToEnd ? "true" : "false"];
        var alice = await call.JoinAsync("alice", null, options);
        await call.JoinAsync("bob", null, options);
        await call.JoinAsync("carol", null, options);
        await call.WithLogsAsync(async () =>
        {
            await alice.KeyHeldByAsync(call.Client("bob"), call.Client("carol"));
            call.Middle.Recorded.Clear();
            var sent = await alice.SayAsync(Tricky);
            Assert.Equal((Tricky, "alice", true), (sent.Text, sent.From, sent.IsSelf));

            var fingerprint = (await alice.StatusAsync()).Fingerprint;
            foreach (var name in new[] { "bob", "carol" })
            {
                var got = await Eventually.ValueAsync(
                    async () => (await call.Client(name).ChatAsync()).FirstOrDefault(),
                    TimeSpan.FromSeconds(10),
                    $"{name} gets alice's message");
                Assert.Equal((Tricky, "alice", false), (got.Text, got.From, got.IsSelf));
                Assert.Equal(endToEnd ? fingerprint : null, got.Fingerprint);
            }

            // Bob's view shows it with every escape as its picture: the program's colour, clipboard and title
            // sequences never reach his terminal.
            var view = await call.Client("bob").Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 200, Rows = 30, Mode = "ascii", Colors = "truecolor" });
            var frame = await call.Client("bob").Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, view, -1L, 1000);
            // What the terminal shows, without the view's own colour and cursor sequences (blanks are cursor moves).
            var shown = ViewText.Characters(frame.Data);
            Assert.Contains("alice:chat-marker-5c1e会議は3時🎉👩‍💻e\u0301\u241b[31mRED\u241b[0m\u241b]52;c;aGk=\u2407\u241b]0;title\u2407https://example.org/a?b=1&c=2", shown, StringComparison.Ordinal);
            foreach (var raw in new[] { "\u001b[31mRED", "\u001b]52", "\u001b]0;title", "\u0007" })
            {
                Assert.DoesNotContain(raw, frame.Data, StringComparison.Ordinal);
            }

            // On the relay's link: the message went as Text media frames (never a datagram) in both directions, and its
            // text is in no byte of them unless the seal is off (which shows that the search finds it).
            await Task.Delay(500);
            var frames = call.Middle.Recorded.ToArray();
            Assert.Contains(frames, f => InterceptingRelay.TypeOf(f) == FrameType.Media && f[5] == (byte)MediaKind.Text);
            Assert.Equal(2, frames.Count(f => InterceptingRelay.TypeOf(f) == FrameType.MediaForward && f[9] == (byte)MediaKind.Text));
            var all = frames.SelectMany(f => f).ToArray();
            Assert.Equal(!endToEnd, all.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)) >= 0);
            Assert.Equal(!endToEnd, all.AsSpan().IndexOf(Encoding.UTF8.GetBytes("会議は3時")) >= 0);
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task AFlood_IsRefusedWithAClearError_NothingElseChanges_AndTheCallGoesOn()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        var alice = await call.JoinAsync("alice");
        var bob = await call.JoinAsync("bob");
        await call.JoinAsync("carol");
        await call.WithLogsAsync(async () =>
        {
            await alice.KeyHeldByAsync(bob, call.Client("carol"));
            await call.Client("carol").KeyHeldByAsync(alice, bob);
            for (var i = 0; i < MediaKinds.TextMessages; i++)
            {
                await alice.SayAsync($"flood {i}");
            }

            var refused = await Assert.ThrowsAsync<RemoteInvocationException>(() => alice.SayAsync("one too many"));
            Assert.Equal(ControlProtocol.ErrorCodes.RateLimited, refused.ErrorCode);
            Assert.Matches(@"^too many messages: at most 20 in 10 s; the next can go in \d+ s$", refused.Message);

            // Bad messages are refused with a reason and change nothing either.
            var empty = await Assert.ThrowsAsync<RemoteInvocationException>(() => alice.SayAsync("  "));
            Assert.Equal((ControlProtocol.ErrorCodes.InvalidArgument, "a message needs some text"), (empty.ErrorCode, empty.Message));
            var large = await Assert.ThrowsAsync<RemoteInvocationException>(() => alice.SayAsync(new string('x', 4097)));
            Assert.Contains("at most 4096 bytes", large.Message, StringComparison.Ordinal);

            // Bob got the twenty, and nothing of what was refused; carol still reaches him; alice is still in the call.
            await Eventually.TrueAsync(async () => (await bob.ChatAsync()).Length == MediaKinds.TextMessages, TimeSpan.FromSeconds(10), "bob gets the twenty");
            await call.Client("carol").SayAsync("still here");
            var kept = await Eventually.ValueAsync(async () => (await bob.ChatAsync()) is { Length: 21 } all ? all : null, TimeSpan.FromSeconds(10), "carol's message after the flood");
            Assert.Equal(["flood 0", "flood 19", "still here"], new[] { kept[0].Text, kept[19].Text, kept[20].Text });
            Assert.DoesNotContain(kept, m => m.Text == "one too many");
            Assert.Equal(ConnectionState.Connected, (await alice.StatusAsync()).Connection);
            Assert.Contains(await bob.WhoAsync(), p => p.Name == "alice");

            // chat waits for the next message when there is none yet; a subscriber gets it as an event.
            await bob.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Subscribe);
            var waiting = bob.ChatAsync(kept[^1].Id, 10_000);
            await Task.Delay(200);
            Assert.False(waiting.IsCompleted);
            await call.Client("carol").SayAsync("and one more");
            Assert.Equal("and one more", Assert.Single(await waiting).Text);
            using var within = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            ControlEvent message;
            do
            {
                message = await bob.Events.Reader.ReadAsync(within.Token);
            }
            while (message.Kind != ControlEventKind.Message);
            Assert.Equal(("carol", "and one more"), (message.Message?.From, message.Message?.Text));
        });
    }

    /// <summary>
    /// The relay's link as tcpdump sees it on the loopback interface, in the shipped configuration (TLS to the relay,
    /// end-to-end encryption on): a message's text is in no packet. With both off the same search finds it.
    /// </summary>
    [Theory(Timeout = 120_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ATcpdumpOfTheRelayLink_DoesNotContainAMessage_UnlessEveryEncryptionIsOff(bool encrypted)
    {
        Assert.True(File.Exists("/usr/bin/tcpdump"), "tcpdump is not installed (packaging/packages.sh ensure test)");
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay", 0, encrypted ? [] : ["--Relay:Tls", "false"]);
        await using var relayProcess = relay;
        string[] options = encrypted ? ["--Audio:Enabled", "false"] : ["--Audio:Enabled", "false", "--Conference:Tls", "false", "--Conference:EndToEnd", "false"];
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", options);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", options);
        await using var aliceClient = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var bobClient = await TestControlClient.ConnectAsync(bob.SocketPath);
        await aliceClient.JoinAsync("tapped");
        await bobClient.JoinAsync("tapped");
        await aliceClient.KeyHeldByAsync(bobClient);

        var capture = Path.Combine(root.Path, "relay-link.pcap");
        using var tcpdump = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("tcpdump", ["-i", "lo", "-Z", "root", "--immediate-mode", "-U", "-s", "0", "-w", capture, "port", $"{port}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var listening = await tcpdump.StandardError.ReadLineAsync(TestContext.Current.CancellationToken);
        Assert.Contains("listening on lo", listening, StringComparison.Ordinal);
        await aliceClient.SayAsync($"{Marker} 秘密のメッセージ");
        await Eventually.TrueAsync(async () => (await bobClient.ChatAsync()).Length == 1, TimeSpan.FromSeconds(10), "bob gets the message");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        _ = Interop.kill(tcpdump.Id, 2);
        await tcpdump.WaitForExitAsync(TestContext.Current.CancellationToken);

        var packets = await File.ReadAllBytesAsync(capture, TestContext.Current.CancellationToken);
        Assert.True(packets.Length > 500, $"the capture holds {packets.Length} bytes; tcpdump said: {await tcpdump.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
        Assert.Equal(!encrypted, packets.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)) >= 0);
        Assert.Equal(!encrypted, packets.AsSpan().IndexOf(Encoding.UTF8.GetBytes("秘密のメッセージ")) >= 0);
    }
}
