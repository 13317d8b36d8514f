using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// The call view in tmux as a person uses it: the render mode it picks from the terminal's environment, the three
/// modes drawn, the keys m, v and l, two views of one daemon at once, and the verbs unmute and camera on|off.
/// </summary>
public sealed class ViewModesAndKeysTests
{
    private const char UpperHalf = '\u2580';

    [Theory(Timeout = 120_000)]
    [InlineData("COLORTERM=truecolor TERM=xterm", "", true, "38;2;")]          // truecolor: blocks, 24-bit colours
    [InlineData("TERM=xterm-256color", "", true, "38;5;")]                     // 256 colours: blocks, palette colours
    [InlineData("TERM=dumb", "", false, null)]                                 // anything else: plain ascii
    [InlineData("COLORTERM=truecolor TERM=xterm", "--mode ascii-color", false, "38;2;")]
    [InlineData("COLORTERM=truecolor TERM=xterm", "--mode blocks", true, "48;2;")]
    public async Task Preview_ModeFromTheTerminalOrChosen_IsDrawnAsSuch(string environment, string mode, bool halfBlocks, string? colour)
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--Audio:Enabled", "false"]);
        await daemon.WaitReadyAsync();
        using var tmux = new Tmux();
        tmux.Start(100, 30, $"env -u COLORTERM {environment} {DaemonProcess.AttachCommand} --socket {daemon.SocketPath} preview {mode}");
        // A half-block view may first draw a picture in its cheapest forms (a cell of one colour as a space or a full
        // block, as the writer does under a byte budget on a busy machine), so it is waited for until a half block shows.
        var screen = await tmux.WaitForAsync(
            s => s.Contains("preview", StringComparison.Ordinal)
                && (s.Split('\n').Count(IsPictureRow) > 10 || tmux.CaptureWithEscapes().Split('\n').Count(IsColouredRow) > 10)
                && (!halfBlocks || s.Contains(UpperHalf, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            halfBlocks ? "the test pattern in the preview, in half blocks" : "the test pattern in the preview");
        Assert.Equal(halfBlocks, screen.Contains(UpperHalf, StringComparison.Ordinal));
        var escapes = tmux.CaptureWithEscapes();
        var picture = string.Join('\n', escapes.Split('\n')[1..^2]);
        if (colour is null)
        {
            Assert.DoesNotContain("38;2;", picture, StringComparison.Ordinal);
            Assert.DoesNotContain("38;5;", picture, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(colour, picture, StringComparison.Ordinal);
        }
    }

    /// <summary>A row of the test pattern: long, and no part of the box drawn while the camera starts.</summary>
    private static bool IsPictureRow(string row) => row.Trim().Length > 40 && row.IndexOfAny(['\u2502', '\u2500']) < 0;

    /// <summary>
    /// A row of the test pattern in colour, as tmux shows it with its escapes: many colour changes (a flat stretch
    /// of a half-block picture may be written as coloured spaces, which a capture without escapes shows as nothing).
    /// </summary>
    private static bool IsColouredRow(string row) => row.Split("\u001b[").Length > 8 && row.IndexOfAny(['\u2502', '\u2500']) < 0;

    [Fact(Timeout = 120_000)]
    public async Task QuestionMark_ShowsEveryKeyOverThePicture_AndPlusMinus_StepTheFrameRate()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--Audio:Enabled", "false"]);
        await daemon.WaitReadyAsync();
        using var tmux = new Tmux();
        tmux.Start(120, 30, $"{DaemonProcess.AttachCommand} --socket {daemon.SocketPath} preview --mode ascii");
        await tmux.WaitForAsync(s => s.Contains(" fps │", StringComparison.Ordinal) && s.Contains("? keys", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a live view");
        Assert.DoesNotContain("/30 fps", tmux.Capture(), StringComparison.Ordinal);

        tmux.SendKeys("?");
        var shown = await tmux.WaitForAsync(s => s.Contains("Keys of the call view", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the keys over the picture");
        foreach (var line in new[] { "mute or unmute", "camera off or on", "frame rate: as pictures come, 30 20 15 10 5", "leave the session", "detach" })
        {
            Assert.Contains(line, shown, StringComparison.Ordinal);
        }

        tmux.SendKeys("?");
        await tmux.WaitForAsync(s => !s.Contains("Keys of the call view", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the keys hidden again");

        // A view starts with no pace of its own (a frame whenever a picture changes); down through 30, 20, 15, 10 and 5,
        // where it stays; up to 10.
        foreach (var (key, rate) in new[] { ("-", 30), ("-", 20), ("-", 15), ("-", 10), ("-", 5), ("-", 5), ("+", 10) })
        {
            tmux.SendKeys(key);
            await tmux.WaitForAsync(s => s.Contains($"/{rate} fps", StringComparison.Ordinal), TimeSpan.FromSeconds(5), $"{rate} fps after {key}");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task TwoViews_BothFollowTheKeysMVAndL()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--name", "me", "--Audio:Enabled", "false"]);
        await daemon.WaitReadyAsync();
        await using (var client = await TestControlClient.ConnectAsync(daemon.SocketPath))
        {
            await client.JoinAsync("keys", relay: (await client.StatusAsync()).RelayListen);
        }

        using var first = new Tmux();
        using var second = new Tmux();
        first.Start(140, 30, $"sh -c '{DaemonProcess.AttachCommand} --socket {daemon.SocketPath} --mode ascii; echo exit $?; sleep 60'");
        second.Start(140, 30, $"sh -c '{DaemonProcess.AttachCommand} --socket {daemon.SocketPath} --mode blocks; echo exit $?; sleep 60'");
        foreach (var view in new[] { first, second })
        {
            await view.WaitForAsync(s => s.Contains("me (you)", StringComparison.Ordinal) && s.Contains("m mute", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a live view");
        }

        // v in the first view turns the camera off: both views show it, and the key now offers to turn it on.
        first.SendKeys("v");
        foreach (var view in new[] { first, second })
        {
            await view.WaitForAsync(s => s.Contains("camera off", StringComparison.Ordinal) && s.Contains("v camera on", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "camera off in both views");
        }

        Assert.Contains("Camera     off", (await AttachRunner.RunAsync(daemon.SocketPath, "status")).Stdout, StringComparison.Ordinal);
        first.SendKeys("v");
        await second.WaitForAsync(s => s.Contains("v camera off", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "camera on again");

        // m mutes and unmutes, seen in the other view.
        second.SendKeys("m");
        await first.WaitForAsync(s => s.Contains("[muted]", StringComparison.Ordinal) && s.Contains("m unmute", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "muted");
        second.SendKeys("m");
        await first.WaitForAsync(s => !s.Contains("[muted]", StringComparison.Ordinal) && s.Contains("m mute", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "unmuted");

        // l leaves the session: that view closes saying so, the other one stays and shows it; the daemon is no longer in it.
        first.SendKeys("l");
        await first.WaitForAsync(s => s.Contains("Left the session.\nexit 0", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the view that left closes");
        await second.WaitForAsync(s => s.Contains("Not in a session", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the other view shows it");

        Assert.Contains("none (s2c-attach join SESSION)", (await AttachRunner.RunAsync(daemon.SocketPath, "status")).Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Verbs_UnmuteAndCameraOnOff_ShowOnTheOtherMember()
    {
        using var root = new TempDirectory();
        await using var alice = DaemonProcess.Start(root, "alice", ["--listen", "127.0.0.1:0", "--name", "alice", "--Audio:Enabled", "false", "--Video:Fps", "5"]);
        await alice.WaitReadyAsync();
        await using var watch = await TestControlClient.ConnectAsync(alice.SocketPath);
        var relay = (await watch.StatusAsync()).RelayListen!;
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", relay, "--Audio:Enabled", "false", "--Video:Fps", "5");
        Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "verbs", "--relay", relay, "--detach")).ExitCode);
        Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "join", "verbs", "--detach")).ExitCode);

        foreach (var (verb, check) in new (string[] Verb, Func<S2cd.Contract.ParticipantInfo, bool> Check)[]
        {
            (["mute"], p => p.Muted),
            (["unmute"], p => !p.Muted),
            (["camera", "off"], p => !p.CameraOn && p.VideoFps == 0),
            (["camera", "on"], p => p.CameraOn && p.VideoFps > 0),
        })
        {
            var (code, stdout, stderr) = await AttachRunner.RunAsync(bob.SocketPath, verb);
            Assert.True(code == 0, stdout + stderr);
            await Eventually.TrueAsync(async () => (await watch.WhoAsync()).Any(p => p.Name == "bob" && check(p)), TimeSpan.FromSeconds(10), $"alice sees bob after '{string.Join(' ', verb)}'");
        }
    }
}
