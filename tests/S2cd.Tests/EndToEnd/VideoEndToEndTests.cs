using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// Two daemons whose cameras play two generated video files, through a relay on loopback; s2c-attach
/// runs in tmux on one side, and the pane shows what a person would see.
/// </summary>
public sealed class VideoEndToEndTests
{
    [Fact(Timeout = 120_000)]
    public async Task View_OtherParticipantsVideo_ShowsTheirPatternAndNamesAndFollowsChanges()
    {
        using var root = new TempDirectory();
        var alicesVideo = TestVideo.HalvesThatTurn(Path.Combine(root.Path, "alice.avi"));
        var bobsVideo = TestVideo.Stripes(Path.Combine(root.Path, "bob.avi"));
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{port}", "--camera", alicesVideo);
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", "--camera", bobsVideo);
        Assert.Equal(0, (await AttachRunner.RunAsync(alice.SocketPath, "join", "film")).ExitCode);
        Assert.Equal(0, (await AttachRunner.RunAsync(bob.SocketPath, "join", "film")).ExitCode);

        using var tmux = new Tmux();
        var exitFile = Path.Combine(root.Path, "exit");
        tmux.Start(120, 40, $"sh -c 'dotnet {DaemonProcess.AttachPath} --socket {bob.SocketPath} --mode ascii --hide-self; echo $? > {exitFile}; sleep 60'");
        try
        {
            // Alice's first phase: the left half of her picture is white, so rows of 'M' end in the middle.
            var screen = await tmux.WaitForAsync(s => s.Contains("alice", StringComparison.Ordinal) && PictureRows(s).Any(IsLeftHalf), TimeSpan.FromSeconds(30), "alice's left-half picture");
            Assert.Contains("film", screen, StringComparison.Ordinal);
            Assert.Contains("q detach", screen, StringComparison.Ordinal);
            Assert.DoesNotContain("bob (you)", screen, StringComparison.Ordinal);

            // Her second phase: the top half is white; rows of 'M' run across the whole picture.
            await tmux.WaitForAsync(s => PictureRows(s).Any(IsFullWidth), TimeSpan.FromSeconds(15), "alice's top-half picture");

            // m mutes bob; his status shows it.
            tmux.SendKeys("m");
            await Eventually.TrueAsync(async () => (await AttachRunner.RunAsync(bob.SocketPath, "status")).Stdout.Contains("Microphone muted", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "bob muted with m");

            // q detaches: the terminal is back from the alternate screen with the cursor shown, and bob is still in the session.
            tmux.SendKeys("q");
            await Eventually.TrueAsync(() => Task.FromResult(File.Exists(exitFile)), TimeSpan.FromSeconds(10), "s2c-attach exited");
            Assert.Equal("0", (await File.ReadAllTextAsync(exitFile)).Trim());
            Assert.Equal("0", tmux.Query("#{alternate_on}"));
            Assert.Equal("1", tmux.Query("#{cursor_flag}"));
            Assert.Contains("connected", (await AttachRunner.RunAsync(bob.SocketPath, "status")).Stdout, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n--- alice\n{alice.Output}\n--- bob\n{bob.Output}");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task View_DaemonGoesAway_TerminalIsRestoredAndExitIsThree()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0"]);
        await daemon.WaitReadyAsync();
        using var tmux = new Tmux();
        var exitFile = Path.Combine(root.Path, "exit");
        tmux.Start(80, 24, $"sh -c 'dotnet {DaemonProcess.AttachPath} --socket {daemon.SocketPath} --mode ascii; echo $? > {exitFile}; sleep 60'");
        await tmux.WaitForAsync(s => s.Contains("Not in a session", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the idle view");
        Assert.Equal("1", tmux.Query("#{alternate_on}"));
        daemon.Kill();
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(exitFile)), TimeSpan.FromSeconds(10), "s2c-attach exited");
        Assert.Equal("3", (await File.ReadAllTextAsync(exitFile)).Trim());
        Assert.Equal("0", tmux.Query("#{alternate_on}"));
        Assert.Equal("1", tmux.Query("#{cursor_flag}"));
    }

    [Theory(Timeout = 120_000)]
    [InlineData("C-c")]
    [InlineData("SIGTERM")]
    [InlineData("SIGHUP")]
    public async Task View_InterruptedOrSignalled_RestoresTheTerminal(string how)
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0"]);
        await daemon.WaitReadyAsync();
        using var tmux = new Tmux();
        var exitFile = Path.Combine(root.Path, "exit");
        tmux.Start(80, 24, $"sh -c 'dotnet {DaemonProcess.AttachPath} --socket {daemon.SocketPath} --mode ascii; echo $? > {exitFile}; sleep 60'");
        await tmux.WaitForAsync(s => s.Contains("q detach", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the view");
        Assert.Equal("1", tmux.Query("#{alternate_on}"));
        if (how == "C-c")
        {
            tmux.SendKeys("C-c");
        }
        else
        {
            // Only the client, not the shell around it: anchor on the command name.
            using var kill = System.Diagnostics.Process.Start("pkill", [$"-{how[3..]}", "-f", $"^dotnet {DaemonProcess.AttachPath} --socket {daemon.SocketPath}"])!;
            await kill.WaitForExitAsync();
        }

        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(exitFile)), TimeSpan.FromSeconds(10), "s2c-attach exited");
        Assert.Equal("0", (await File.ReadAllTextAsync(exitFile)).Trim());
        Assert.Equal("0", tmux.Query("#{alternate_on}"));
        Assert.Equal("1", tmux.Query("#{cursor_flag}"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Preview_WithoutSession_ShowsOwnCamera()
    {
        using var root = new TempDirectory();
        var video = TestVideo.Stripes(Path.Combine(root.Path, "me.avi"));
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--camera", video, "--name", "me"]);
        await daemon.WaitReadyAsync();
        using var tmux = new Tmux();
        tmux.Start(100, 30, $"dotnet {DaemonProcess.AttachPath} --socket {daemon.SocketPath} --mode ascii preview");

        // Stripes: rows alternate between runs of 'M' and runs of blanks, four of each.
        await tmux.WaitForAsync(s => s.Contains("me (you)", StringComparison.Ordinal) && PictureRows(s).Any(r => Runs(r) >= 7), TimeSpan.FromSeconds(30), "own striped picture");
        tmux.SendKeys("q");
    }

    [Fact(Timeout = 120_000)]
    public async Task View_Resize_RendersAtTheNewSize()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--name", "me"]);
        await daemon.WaitReadyAsync();
        using var tmux = new Tmux();
        tmux.Start(100, 30, $"dotnet {DaemonProcess.AttachPath} --socket {daemon.SocketPath} --mode ascii");
        await tmux.WaitForAsync(s => s.Contains("q detach", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the view");
        tmux.Resize(60, 20);
        var screen = await tmux.WaitForAsync(s => s.Split('\n').Any(l => l.Contains("q detach", StringComparison.Ordinal)) && s.Split('\n').Length <= 21, TimeSpan.FromSeconds(10), "the view at 60x20");
        Assert.All(screen.Split('\n'), line => Assert.True(line.Length <= 60, line));
        Assert.Contains("Not in a session", screen, StringComparison.Ordinal);
    }

    /// <summary>The rows of the pane that hold picture (not the label or the status line).</summary>
    private static IEnumerable<string> PictureRows(string screen) =>
        screen.Split('\n').Where(l => l.Contains("MMMM", StringComparison.Ordinal) && !l.Contains("detach", StringComparison.Ordinal));

    private static bool IsLeftHalf(string row)
    {
        var text = row.TrimEnd();
        var start = text.IndexOf('M', StringComparison.Ordinal);
        var inked = text.Trim();
        var mCount = inked.Count(c => c == 'M');

        // A run of ink, then blanks to the end of the picture: the row is about half as long as a full one.
        return mCount >= 30 && mCount >= inked.Length * 0.8 && text.Length - start < 75 && text.Length - start > 40;
    }

    private static bool IsFullWidth(string row)
    {
        var inked = row.Trim();
        return inked.Length > 90 && inked.Count(c => c == 'M') >= inked.Length * 0.8;
    }

    private static int Runs(string row)
    {
        var runs = 0;
        var inInk = false;
        foreach (var c in row.Trim())
        {
            var ink = c != ' ';
            if (ink != inInk)
            {
                runs++;
                inInk = ink;
            }
        }

        return runs;
    }
}
