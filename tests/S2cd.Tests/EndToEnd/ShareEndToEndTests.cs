using System.Diagnostics;
using System.Text;
using S2cd.Contract;
using S2cd.Tests.Support;
using S2cd.Wire;
using StreamJsonRpc;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// A terminal shared in a call of real daemons, every byte of the relay link recorded in the middle: the real
/// s2c-attach runs a real program on a pseudo-terminal, libvterm keeps its screen, the viewers' daemons build it.
/// </summary>
public sealed class ShareEndToEndTests
{
    private const string Marker = "share-marker-7d2b";

    [Fact(Timeout = 120_000)]
    public Task ASharedShell_ReachesTheViewersScreen_WithoutItsEscapes_ALateJoinerSeesItAll_AndTheRelaySeesNoText() => InACallAsync(async (call, root, alice, bob) =>
    {
        call.Middle.Recorded.Clear();

        // The program writes a marker in colour beside CJK, then the clipboard (OSC 52), title and cursor-report
        // sequences a viewer's terminal must never get, then waits.
        const string Program = $"printf '\\033[1;32m{Marker}\\033[0m 会議 \\033]52;c;c2VjcmV0\\007\\033]0;evil title\\007\\033[6n end\\n'; sleep 60";
        using var share = StartShare(call.Daemon("alice").SocketPath, "100x30", Program);
        var clock = Stopwatch.StartNew();
        var seen = await Eventually.ValueAsync(
            async () => await TryScreenAsync(bob, "alice") is { } s && s.Lines[0].Contains(Marker, StringComparison.Ordinal) ? s : null,
            TimeSpan.FromSeconds(15),
            "bob's screen of alice's share");
        TestContext.Current.TestOutputHelper?.WriteLine($"the marker on bob's screen {clock.ElapsedMilliseconds} ms after the share started");
        Assert.Equal($"{Marker} 会議  end", seen.Lines[0]);
        Assert.Equal((100, 30), (seen.Cols, seen.Rows));
        Assert.Equal("100×30", (await bob.WhoAsync()).Single(p => p.Name == "alice").Sharing);
        Assert.Contains("Sharing    alice, a terminal of 100×30", (await AttachRunner.RunAsync(call.Daemon("bob").SocketPath, "status")).Stdout, StringComparison.Ordinal);

        var ansi = (await bob.ScreenAsync("alice", ansi: true)).Ansi!;
        Assert.Contains($"\u001b[0;1;38;2;", ansi, StringComparison.Ordinal);
        foreach (var raw in new[] { "\u001b]", "\u0007", "\u001b[6n", "c2VjcmV0", "evil title" })
        {
            Assert.DoesNotContain(raw, ansi, StringComparison.Ordinal);
        }

        // Cell for cell, colours and all, what bob has is what alice's emulator has.
        Assert.Equal((await alice.ScreenAsync("alice", ansi: true)).Ansi, ansi);

        // Bob's view shows it as a tile, and s shows it alone; no sequence of the program reaches his terminal.
        var view = await bob.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 160, Rows = 50, Mode = "ascii", Colors = "truecolor" });
        var frame = await bob.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, view, -1L, 1000);
        var shown = ViewText.Characters(frame.Data);
        Assert.Contains("alice'sscreen100×30", shown, StringComparison.Ordinal);
        Assert.Contains($"{Marker}会議end", shown, StringComparison.Ordinal);
        foreach (var raw in new[] { "\u001b]", "\u0007", "\u001b[6n", "c2VjcmV0", "evil title" })
        {
            Assert.DoesNotContain(raw, frame.Data, StringComparison.Ordinal);
        }

        // s (and a resize, so the frame draws everything): the screen alone, no camera tiles.
        Assert.Contains("bob (you)", frame.Data, StringComparison.Ordinal);
        await bob.Rpc.InvokeAsync<ViewSettings>(ControlProtocol.Methods.ViewSet, view, new ViewSettings { ScreenFull = true });
        await bob.Rpc.InvokeAsync(ControlProtocol.Methods.ViewResize, view, 161, 50);
        var full = await bob.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, view, frame.Version, 1000);
        Assert.DoesNotContain("bob (you)", full.Data, StringComparison.Ordinal);
        Assert.Contains("screen 100×30", full.Data, StringComparison.Ordinal);

        // A member who joins later gets the whole screen (it asks for a full state).
        var carol = await call.JoinAsync("carol");
        var late = await Eventually.ValueAsync(async () => await TryScreenAsync(carol, "alice"), TimeSpan.FromSeconds(15), "carol's screen of alice's share");
        Assert.Equal(seen.Lines, late.Lines);

        // On the relay's link: screen frames, and none of the text.
        var frames = call.Middle.Recorded.ToArray();
        Assert.Contains(frames, f => InterceptingRelay.TypeOf(f) == FrameType.MediaForward && f[9] == (byte)MediaKind.Screen);
        var all = frames.SelectMany(f => f).ToArray();
        Assert.True(all.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)) < 0, "the marker crossed the relay in the clear");
        Assert.True(all.AsSpan().IndexOf(Encoding.UTF8.GetBytes("会議")) < 0, "the CJK crossed the relay in the clear");

        // The updates are deflated, so a search for text alone would not tell: no screen payload the relay passed
        // reads as an update (sealed, it is noise to whoever has no key; in the clear each would).
        foreach (var update in frames.Where(f => InterceptingRelay.TypeOf(f) == FrameType.MediaForward && f[9] == (byte)MediaKind.Screen))
        {
            ScreenGrid? read = null;
            Assert.NotEqual(ScreenUpdate.Result.Applied, ScreenUpdate.Apply(update.AsSpan(10), ref read));
        }

        // The share ends with the program: the viewers are told.
        share.Kill(entireProcessTree: true);
        await Eventually.TrueAsync(async () => await TryScreenAsync(bob, "alice") is null, TimeSpan.FromSeconds(15), "the share gone from bob's daemon");
    });

    [Fact(Timeout = 120_000)]
    public Task AFloodOfOutput_StaysWithinTheShareBudget_SkippingToTheNewestScreen() => InACallAsync(async (call, root, alice, bob) =>
    {
        using var share = StartShare(call.Daemon("alice").SocketPath, "200x60", "od -An -tx1 /dev/urandom | head -c 50000000; echo flood-done; sleep 60");
        await Eventually.TrueAsync(async () => await TryScreenAsync(bob, "alice") is not null, TimeSpan.FromSeconds(15), "bob sees the share");
        call.Middle.Recorded.Clear();
        await Task.Delay(4000, TestContext.Current.CancellationToken);
        var screens = call.Middle.Recorded.ToArray().Where(f => InterceptingRelay.TypeOf(f) == FrameType.MediaForward && f[9] == (byte)MediaKind.Screen).ToArray();
        var bytes = screens.Sum(f => f.Length);
        TestContext.Current.TestOutputHelper?.WriteLine($"{screens.Length} screen updates, {bytes} bytes in 4 s to bob");
        Assert.True(screens.Length > 4, $"only {screens.Length} screen updates while the output scrolled");

        // The budget is 16 KB/s of updates; one update may go over what is left of it (it waits after).
        Assert.InRange(bytes, 1, (4 * 16 * 1024) + ScreenUpdate.MaxBytes);
        await Eventually.TrueAsync(
            async () => (await TryScreenAsync(bob, "alice"))?.Lines.Any(l => l.Contains("flood-done", StringComparison.Ordinal)) == true,
            TimeSpan.FromSeconds(60),
            "the end of the flood on bob's screen");
    });

    [Fact(Timeout = 120_000)]
    public Task InATerminal_TheSharerWorksAsUsual_TheAlternateScreenAResizeAndCtrlBracket_ReachTheViewer() => InACallAsync(async (call, root, alice, bob) =>
    {
        using var tmux = new Tmux();
        const string Program = "printf \"\\033[?1049h\\033[H\\033[1;33m會議 htop-like\\033[0m \"; read x; printf \"\\033[?1049l\"; echo after-$x; sleep 60";
        var script = Path.Combine(root.Path, "program.sh");
        await File.WriteAllTextAsync(script, Program, TestContext.Current.CancellationToken);
        tmux.Start(100, 30, $"sh -c '{DaemonProcess.AttachCommand} --socket {call.Daemon("alice").SocketPath} share -- sh {script}; sleep 60'");
        var pane = tmux.Query("#{pane_width}×#{pane_height}");

        // The sharer sees the program as it runs, full screen; the viewer has the same cells, colours and all.
        await tmux.WaitForAsync(s => s.Contains("會議 htop-like", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the program in the sharer's terminal");
        var seen = await Eventually.ValueAsync(
            async () => await TryScreenAsync(bob, "alice") is { } s && s.Lines[0].StartsWith("會議 htop-like", StringComparison.Ordinal) ? s : null,
            TimeSpan.FromSeconds(15),
            "the alternate screen on bob's side");
        Assert.Equal(pane, $"{seen.Cols}×{seen.Rows}");
        Assert.Equal((await alice.ScreenAsync("alice", ansi: true)).Ansi, (await bob.ScreenAsync("alice", ansi: true)).Ansi);

        // Keys go to the program (read gets a line); leaving the alternate screen brings the shell's screen back.
        tmux.SendKeys("xyz");
        tmux.SendKeys("Enter");
        await Eventually.TrueAsync(
            async () => (await TryScreenAsync(bob, "alice"))?.Lines.Any(l => l == "after-xyz") == true,
            TimeSpan.FromSeconds(15),
            "the program's answer on bob's screen");
        Assert.DoesNotContain((await bob.ScreenAsync("alice")).Lines, l => l.Contains("htop-like", StringComparison.Ordinal));

        // The sharer's terminal is resized: the program and the viewers get the new size.
        tmux.Resize(80, 20);
        var resized = tmux.Query("#{pane_width}×#{pane_height}");
        await Eventually.TrueAsync(async () => await TryScreenAsync(bob, "alice") is { } s && $"{s.Cols}×{s.Rows}" == resized, TimeSpan.FromSeconds(15), $"bob's screen at {resized}");

        // Ctrl-] ends the share: the program is hung up, the viewers are told, the sharer's terminal is back.
        tmux.SendKeys("C-]");
        await tmux.WaitForAsync(s => s.Contains("Share ended.", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the share ended in the sharer's terminal");
        await Eventually.TrueAsync(async () => await TryScreenAsync(bob, "alice") is null, TimeSpan.FromSeconds(15), "the share gone from bob's daemon");
    });

    [Fact(Timeout = 60_000)]
    public async Task BadUpdates_AreRefusedWithAReason_AndChangeNothing()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        var alice = await call.JoinAsync("alice");
        await call.WithLogsAsync(async () =>
        {
            var notAnUpdate = await Assert.ThrowsAsync<RemoteInvocationException>(() => alice.Rpc.InvokeAsync<ShareAnswer>(ControlProtocol.Methods.ShareUpdate, new byte[] { 1, 2, 3 }));
            Assert.Contains("not a screen update", notAnUpdate.Message, StringComparison.Ordinal);
            var tooLarge = await Assert.ThrowsAsync<RemoteInvocationException>(() => alice.Rpc.InvokeAsync<ShareAnswer>(ControlProtocol.Methods.ShareUpdate, new byte[ScreenUpdate.MaxBytes + 1]));
            Assert.Contains("at most", tooLarge.Message, StringComparison.Ordinal);
            Assert.Null((await alice.WhoAsync()).Single(p => p.IsSelf).Sharing);

            // A diff before any full state is not sent: the answer asks for a full state.
            var grid = new ScreenGrid(10, 2) { Sequence = 2 };
            var diff = ScreenUpdate.Encode(new ScreenGrid(10, 2) { Sequence = 1 }, grid, full: false);
            Assert.True((await alice.Rpc.InvokeAsync<ShareAnswer>(ControlProtocol.Methods.ShareUpdate, diff)).FullWanted);

            // A second connection cannot share while the first does.
            Assert.False((await alice.Rpc.InvokeAsync<ShareAnswer>(ControlProtocol.Methods.ShareUpdate, ScreenUpdate.Encode(null, grid, true))).FullWanted);
            await using var other = await TestControlClient.ConnectAsync(call.Daemon("alice").SocketPath);
            var second = await Assert.ThrowsAsync<RemoteInvocationException>(() => other.Rpc.InvokeAsync<ShareAnswer>(ControlProtocol.Methods.ShareUpdate, ScreenUpdate.Encode(null, grid, true)));
            Assert.Contains("one share at a time", second.Message, StringComparison.Ordinal);
            var none = await Assert.ThrowsAsync<RemoteInvocationException>(() => alice.ScreenAsync("nobody"));
            Assert.Contains("nobody named 'nobody'", none.Message, StringComparison.Ordinal);
        });
    }

    /// <summary>Alice and bob in a call through the middle, bob holding alice's key; a failure carries the daemons' logs.</summary>
    private static async Task InACallAsync(Func<SecureCall, TempDirectory, TestControlClient, TestControlClient, Task> body)
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        var alice = await call.JoinAsync("alice");
        var bob = await call.JoinAsync("bob");
        await call.WithLogsAsync(async () =>
        {
            await alice.KeyHeldByAsync(bob);
            await body(call, root, alice, bob);
        });
    }

    private static async Task<ScreenText?> TryScreenAsync(TestControlClient client, string name)
    {
        try
        {
            return await client.ScreenAsync(name);
        }
        catch (RemoteInvocationException)
        {
            return null;
        }
    }

    /// <summary>Runs the real s2c-attach share with <paramref name="program"/> under sh, its input a pipe and its output thrown away.</summary>
    private static Process StartShare(string socket, string size, string program)
    {
        var (attach, prefix) = DaemonProcess.AttachProgram;
        var info = new ProcessStartInfo("sh") { RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$@\" > /dev/null 2>&1");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(attach);
        foreach (var arg in prefix.Concat(["--socket", socket, "share", "--size", size, "--", "sh", "-c", program]))
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }
}
