using System.Text.Json;
using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Attach;

/// <summary>
/// The chat as a person uses it, in tmux: the view's t writes a message that the other's <c>chat --json</c> shows,
/// Esc drops a draft, <c>say</c> reads stdin, c hides the strip and the status line then counts what came.
/// </summary>
public sealed class ChatViewTests
{
    [Fact(Timeout = 120_000)]
    public async Task TheViewsT_SendsAMessage_TheOthersChatJsonShowsIt_AndCHidesTheStrip()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        await using var aliceClient = await TestControlClient.ConnectAsync(alice.SocketPath);
        await using var bobClient = await TestControlClient.ConnectAsync(bob.SocketPath);
        await aliceClient.JoinAsync("chat", relay: $"127.0.0.1:{port}");
        await bobClient.JoinAsync("chat", relay: $"127.0.0.1:{port}");
        await aliceClient.KeyHeldByAsync(bobClient);
        await bobClient.KeyHeldByAsync(aliceClient);

        using var tmux = new Tmux();
        tmux.Start(120, 30, $"{DaemonProcess.AttachCommand} --socket {bob.SocketPath} --mode ascii");
        await tmux.WaitForAsync(s => s.Contains("t chat", StringComparison.Ordinal) && s.Contains("alice", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bob's view of the call");

        // t opens the line; what is typed shows on it while the view goes on; Esc drops it.
        tmux.SendKeys("t");
        await tmux.WaitForAsync(s => s.Contains(" say›", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the input line");
        tmux.SendKeys("abandoned draft");
        await tmux.WaitForAsync(s => s.Contains("say› abandoned draft", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the draft on the line");
        tmux.SendKeys("Escape");
        await tmux.WaitForAsync(s => !s.Contains("say›", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the line closed by Esc");

        // t, a message with CJK, Enter: alice's chat --json has it, with bob's fingerprint; bob's strip shows it.
        tmux.SendKeys("t");
        await tmux.WaitForAsync(s => s.Contains(" say›", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the input line again");
        tmux.SendKeys("hello from the view 你好");
        tmux.SendKeys("Enter");
        await tmux.WaitForAsync(s => s.Contains("bob: hello from the view 你好", StringComparison.Ordinal) && !s.Contains("say›", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "bob's message in his strip");
        var json = await Eventually.ValueAsync(
            async () => (await AttachRunner.RunAsync(alice.SocketPath, "chat", "--json")).Stdout is { Length: > 0 } stdout ? stdout : null,
            TimeSpan.FromSeconds(10),
            "alice's chat --json");
        var line = Assert.Single(json.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using (var message = JsonDocument.Parse(line))
        {
            Assert.Equal("bob", message.RootElement.GetProperty("from").GetString());
            Assert.Equal("hello from the view 你好", message.RootElement.GetProperty("text").GetString());
            Assert.Equal((await bobClient.StatusAsync()).Fingerprint, message.RootElement.GetProperty("fingerprint").GetString());
            Assert.True(message.RootElement.GetProperty("time").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-2));
        }

        // say reads the message from stdin; it shows in bob's strip in alice's name.
        var said = await AttachRunner.RunWithInputAsync(alice.SocketPath, "a line of shell: ls -la | head\n", "say");
        Assert.Equal(0, said.ExitCode);
        await tmux.WaitForAsync(s => s.Contains("alice: a line of shell: ls -la | head", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "alice's message from stdin");

        // c hides the strip; what comes then is counted on the status line until c shows it again.
        tmux.SendKeys("c");
        await tmux.WaitForAsync(s => !s.Contains("alice: a line of shell", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the strip hidden");
        await aliceClient.SayAsync("while hidden");
        await tmux.WaitForAsync(s => s.Contains("✉ 1 new (c)", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the mark of a new message");
        tmux.SendKeys("c");
        await tmux.WaitForAsync(s => s.Contains("alice: while hidden", StringComparison.Ordinal) && !s.Contains("✉", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the strip back, the mark gone");

        // The plain listing: every message of the call, the sender's own marked.
        var listing = (await AttachRunner.RunAsync(bob.SocketPath, "chat")).Stdout;
        Assert.Matches(@"^\d\d:\d\d bob \(you\): hello from the view 你好\n\d\d:\d\d alice: a line of shell: ls -la \| head\n\d\d:\d\d alice: while hidden\n$", listing);
    }

    [Fact(Timeout = 60_000)]
    public async Task SayAndShare_RefuseTooMuchOnStdin_AndOutsideACall_WithAReason()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--Audio:Enabled", "false"]);
        await daemon.WaitReadyAsync();
        var tooLong = await AttachRunner.RunWithInputAsync(daemon.SocketPath, new string('x', ControlProtocol.MaxChatBytes + 1), "say");
        Assert.Equal((2, "s2c-attach: say: a message is at most 4096 bytes of UTF-8\n"), (tooLong.ExitCode, tooLong.Stderr));
        var empty = await AttachRunner.RunWithInputAsync(daemon.SocketPath, "\n", "say");
        Assert.Equal((2, "s2c-attach: say: the message on stdin is empty\n"), (empty.ExitCode, empty.Stderr));
        var outside = await AttachRunner.RunAsync(daemon.SocketPath, "say", "hello");
        Assert.Equal((1, "s2c-attach: not in a session: join one first\n"), (outside.ExitCode, outside.Stderr));
        var none = await AttachRunner.RunAsync(daemon.SocketPath, "chat", "--json");
        Assert.Equal((0, string.Empty), (none.ExitCode, none.Stdout));

        // A share outside a call is refused before its program starts (it would have made the file).
        var marker = Path.Combine(root.Path, "started");
        var share = await AttachRunner.RunAsync(daemon.SocketPath, "share", "--", "touch", marker);
        Assert.Equal((1, "s2c-attach: not in a session: join one first\n"), (share.ExitCode, share.Stderr));
        Assert.False(File.Exists(marker));
    }
}
