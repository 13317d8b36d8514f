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
        tmux.Start(120, 40, $"sh -c '{DaemonProcess.AttachCommand} --socket {bob.SocketPath} --mode ascii --hide-self; echo $? > {exitFile}; sleep 60'");
        try
        {
            // Alice's first phase: the left half of her picture is white, so rows of 'M' end in the middle.
            // (A capture may fall between the rows of one frame: the picture and the status line are waited for together.)
            var screen = await tmux.WaitForAsync(
                s => s.Contains("alice", StringComparison.Ordinal) && PictureRows(s).Any(IsLeftHalf) && s.Contains("film", StringComparison.Ordinal) && s.Contains("q detach", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30),
                "alice's left-half picture under the status line of session film");
            Assert.DoesNotContain("bob (you)", screen, StringComparison.Ordinal);

            // Her second phase: the top half is white; rows of 'M' run across the whole picture.
            await tmux.WaitForAsync(s => PictureRows(s).Any(IsFullWidth), TimeSpan.FromSeconds(15), "alice's top-half picture");

            // m mutes bob; his status shows it.
            tmux.SendKeys("m");
            await Eventually.TrueAsync(async () => (await AttachRunner.RunAsync(bob.SocketPath, "status")).Stdout.Contains("Microphone muted", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "bob muted with m");

            // q detaches: the terminal is back from the alternate screen with the cursor shown, and bob is still in the session.
            tmux.SendKeys("q");
            await Eventually.TrueAsync(() => Task.FromResult(File.Exists(exitFile)), TimeSpan.FromSeconds(10), "s2c-attach exited");
            Assert.Equal("0", (await File.ReadAllTextAsync(exitFile, TestContext.Current.CancellationToken)).Trim());
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
    public async Task View_DaemonGoesAwayForGood_WaitsForItThenRestoresTheTerminalAndExitsThree()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0"]);
        await daemon.WaitReadyAsync();
        using var tmux = new Tmux();
        var exitFile = Path.Combine(root.Path, "exit");
        tmux.Start(80, 24, $"sh -c '{DaemonProcess.AttachCommand} --socket {daemon.SocketPath} --mode ascii; echo $? > {exitFile}; sleep 60'");
        await tmux.WaitForAsync(s => s.Contains("Not in a session", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the idle view");
        Assert.Equal("1", tmux.Query("#{alternate_on}"));
        daemon.Kill();

        // It waits 30 s for a restarted daemon (saying so), then gives up.
        await tmux.WaitForAsync(s => s.Contains("daemon restarting", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the restart notice");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(exitFile)), TimeSpan.FromSeconds(45), "s2c-attach exited");
        Assert.Equal("3", (await File.ReadAllTextAsync(exitFile, TestContext.Current.CancellationToken)).Trim());
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
        tmux.Start(80, 24, $"sh -c '{DaemonProcess.AttachCommand} --socket {daemon.SocketPath} --mode ascii; echo $? > {exitFile}; sleep 60'");
        await tmux.WaitForAsync(s => s.Contains("q detach", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the view");
        Assert.Equal("1", tmux.Query("#{alternate_on}"));
        if (how == "C-c")
        {
            tmux.SendKeys("C-c");
        }
        else
        {
            // Only the client, not the shell around it: anchor on the command name.
            using var kill = System.Diagnostics.Process.Start("pkill", [$"-{how[3..]}", "-f", $"^{DaemonProcess.AttachCommand} --socket {daemon.SocketPath}"])!;
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(exitFile)), TimeSpan.FromSeconds(10), "s2c-attach exited");
        Assert.Equal("0", (await File.ReadAllTextAsync(exitFile, TestContext.Current.CancellationToken)).Trim());
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
        tmux.Start(100, 30, $"{DaemonProcess.AttachCommand} --socket {daemon.SocketPath} --mode ascii preview");

        // Stripes: rows alternate between runs of 'M' and runs of blanks, four of each.
        await tmux.WaitForAsync(s => s.Contains("me (you)", StringComparison.Ordinal) && PictureRows(s).Any(r => Runs(r) >= 7), TimeSpan.FromSeconds(30), "own striped picture");
        tmux.SendKeys("q");
    }

    [Fact(Timeout = 120_000)]
    public async Task View_ResizedSmallerThenLarger_DrawsStatusLineAndPictureAtEachNewSize()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0", "--name", "me", "--Audio:Enabled", "false"]);
        await daemon.WaitReadyAsync();
        await using (var client = await TestControlClient.ConnectAsync(daemon.SocketPath))
        {
            var listen = (await client.StatusAsync()).RelayListen!;
            await client.JoinAsync("sizes", relay: listen);
        }

        using var tmux = new Tmux();
        tmux.Start(100, 30, $"{DaemonProcess.AttachCommand} --socket {daemon.SocketPath} --mode ascii");
        var sizes = new List<(int Columns, int Rows, int PictureWidth)>();
        foreach (var (columns, rows) in new[] { (100, 30), (60, 20), (140, 40) })
        {
            tmux.Resize(columns, rows);
            var screen = await tmux.WaitForAsync(
                s => Drawn(s, columns, rows) is not null,
                TimeSpan.FromSeconds(15),
                $"the view drawn at {columns}x{rows}");
            sizes.Add((columns, rows, Drawn(screen, columns, rows)!.Value));
        }

        // The tile's picture fills the new height (cells twice as tall as wide, the test pattern 4:3) wherever the width allows.
        Assert.All(sizes, s => Assert.InRange(s.PictureWidth, (int)((s.Rows - 2) * 2 * 4 / 3.0 * 0.85), s.Columns));
        Assert.True(sizes[1].PictureWidth < sizes[0].PictureWidth && sizes[0].PictureWidth < sizes[2].PictureWidth, string.Join(", ", sizes));
    }

    /// <summary>
    /// The width of the drawn picture when the screen is a view at exactly <paramref name="columns"/> x <paramref name="rows"/>: the label on
    /// the first row, the status line on the last, picture rows between; null when it is not (yet) drawn at that size.
    /// </summary>
    private static int? Drawn(string screen, int columns, int rows)
    {
        var lines = screen.TrimEnd('\n').Split('\n');
        if (lines.Length != rows || !lines[0].Contains("me (you)", StringComparison.Ordinal) || !lines[rows - 1].StartsWith(" sizes", StringComparison.Ordinal)
            || lines.Any(l => l.Length > columns))
        {
            return null;
        }

        var widths = lines[1..^1].Select(l => l.TrimEnd().Length).Where(w => w > 0).ToList();
        return widths.Count >= rows - 3 ? widths.Max() : null;
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
