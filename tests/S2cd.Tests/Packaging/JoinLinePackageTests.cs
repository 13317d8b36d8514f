using System.Diagnostics;
using S2cd.Contract;
using S2cd.Tests.Relay;
using S2cd.Tests.Support;

namespace S2cd.Tests.Packaging;

/// <summary>
/// The one-line join end to end with the real build: a relay run from the extracted .deb (its /usr/lib/s2cd is the
/// build it offers) and users made for the test, who have no s2cd on their PATH and no root. Each pastes the line the
/// relay's page shows, as a person would: without a terminal, in a tmux terminal (q leaves and stops the daemon the
/// script started), on a machine that lacks libopus and libgtk-3 (the script says what to install; the call goes on),
/// and copied from the page by Chromium. Bob, a member already in the call, sees each of them, verified.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class JoinLinePackageTests(PackageTests.BuiltPackage package) : IAsyncLifetime
{
    private const string Session = "Newcomers";
    private readonly TempDirectory _root = new();
    private readonly List<string> _users = [];
    private WebRelay? _web;
    private DaemonProcess? _bob;
    private TestControlClient? _bobControl;

    public async ValueTask InitializeAsync()
    {
        Assert.True(Environment.UserName == "root", "making users for the test needs root (useradd)");
        var extracted = _root.Sub("deb");
        var (code, output) = await Run.ProgramAsync("dpkg-deb", "-x", await package.PathAsync(), extracted);
        Assert.True(code == 0, output);
        _web = await WebRelay.StartFromAsync(_root, Path.Combine(extracted, "usr", "lib", "s2cd", "s2cd"));
        await using (var relay = await TestControlClient.ConnectAsync(_web.Relay.SocketPath))
        {
            await Eventually.TrueAsync(async () => (await relay.StatusAsync()).RelayJoinBuild is not null, TimeSpan.FromSeconds(60), "the relay's build packed");
        }

        _bob = await DaemonProcess.StartParticipantAsync(_root, "bob", _web.RelayAddress, "--Audio:Enabled", "false", "--Video:Fps", "2");
        _bobControl = await TestControlClient.ConnectAsync(_bob.SocketPath);
        await _bobControl.JoinAsync(Session);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var user in _users)
        {
            await Run.ProgramAsync("pkill", "-KILL", "-u", user);
            await Run.ProgramAsync("userdel", "-r", user);
        }

        if (_bobControl is not null)
        {
            await _bobControl.DisposeAsync();
        }

        if (_bob is not null)
        {
            await _bob.DisposeAsync();
        }

        if (_web is not null)
        {
            await _web.DisposeAsync();
        }

        _root.Dispose();
    }

    /// <summary>Three runs, each a new user who downloads the build: the time each took is printed (the README quotes them).</summary>
    [Theory(Timeout = 240_000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task AUserWithoutS2cd_PastesTheLine_AndIsInTheCallWithin30Seconds(int run)
    {
        var user = await NewUserAsync();
        var line = await LineAsync();
        var clock = Stopwatch.StartNew();
        var (code, output) = await AsUserAsync(user, line);
        Assert.True(code == 0, output);
        await BobSeesAsync(user, within: TimeSpan.FromSeconds(30) - clock.Elapsed);
        TestContext.Current.TestOutputHelper?.WriteLine($"join line, run {run}: {user} in the call, seen by bob, {clock.Elapsed.TotalSeconds:0.0} s after pasting (download and unpack included)");

        Assert.Contains($"Joined {Session}", output, StringComparison.Ordinal);
        Assert.Contains("bob", output, StringComparison.Ordinal);
        Assert.Contains($"to remove what this put in your home: rm -rf '/home/{user}/.local/share/s2cd' '/home/{user}/.local/state/s2cd'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("install:", output, StringComparison.Ordinal);

        // Nothing outside the home but the daemon's runtime directory: the build is in ~/.local/share/s2cd/VERSION.
        var build = Directory.GetDirectories($"/home/{user}/.local/share/s2cd").Single();
        Assert.True(File.Exists(Path.Combine(build, "s2cd")) && File.Exists(Path.Combine(build, "s2c-attach")) && File.Exists(Path.Combine(build, "libOpenCvSharpExtern.so")));
        Assert.Equal(user, (await Run.ProgramAsync("stat", "-c", "%U", build)).Output.Trim());
        Assert.True((await Run.ProgramAsync("pgrep", "-u", user, "-x", "s2cd")).ExitCode == 0, "the user's daemon stays in the call without a terminal");
    }

    [Fact(Timeout = 240_000)]
    public async Task InATerminal_TheLineOpensTheCall_AndQLeavesItAndStopsTheDaemonItStarted()
    {
        var user = await NewUserAsync();
        try
        {
            await StartTerminalAsync(user, await LineAsync());
            await BobSeesAsync(user, TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(async () => (await PaneAsync(user)).Contains($" {Session} · ", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the call's view with its status line");
            Assert.True((await Run.ProgramAsync("pgrep", "-u", user, "-x", "s2cd")).ExitCode == 0);

            await TmuxAsync(user, "send-keys", "q");
            await Eventually.TrueAsync(async () => (await PaneAsync(user)).Contains("ENDED 0", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the script to end after q");
            var screen = await PaneAsync(user);
            Assert.Contains($"s2c: left {Session}.", screen, StringComparison.Ordinal);
            Assert.Contains("to remove what this put in your home", screen, StringComparison.Ordinal);
            Assert.True((await Run.ProgramAsync("pgrep", "-u", user, "-x", "s2cd")).ExitCode != 0, "the daemon the script started is stopped");
            await Eventually.TrueAsync(async () => !(await _bobControl!.WhoAsync()).Any(p => p.Name.StartsWith(user, StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "bob no longer sees the user");
        }
        finally
        {
            await TmuxAsync(user, "kill-server");
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task ForASessionMadeWithAPassphrase_TheScriptAsksForItInTheTerminal()
    {
        const string Guarded = "Guarded";
        const string Passphrase = "correct horse battery staple";
        using var http = _web!.Client();
        using var form = new FormUrlEncodedContent([new("session", Guarded), new("passphrase", "on")]);
        Assert.Equal(System.Net.HttpStatusCode.SeeOther, (await http.PostAsync("/", form, TestContext.Current.CancellationToken)).StatusCode);
        var line = WebRelay.JoinLineOf(await http.GetStringAsync("/s/" + Guarded, TestContext.Current.CancellationToken))!;
        Assert.Contains("passphrase='1'", await http.GetStringAsync(line.Split(' ')[2], TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await using var carol = await DaemonProcess.StartParticipantAsync(_root, "carol", _web.RelayAddress, "--Audio:Enabled", "false", "--Video:Fps", "2");
        await using var carolControl = await TestControlClient.ConnectAsync(carol.SocketPath);
        await carolControl.JoinAsync(Guarded, passphrase: Passphrase);

        var user = await NewUserAsync();
        try
        {
            await StartTerminalAsync(user, line);
            await Eventually.TrueAsync(async () => (await PaneAsync(user)).Contains("Session passphrase:", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the script asking for the passphrase");
            await TmuxAsync(user, "send-keys", "-l", Passphrase);
            await TmuxAsync(user, "send-keys", "Enter");
            await Eventually.TrueAsync(
                async () => (await carolControl.WhoAsync()).Any(p => p.Name.StartsWith(user + "@", StringComparison.Ordinal) && p.Trust == Trust.Verified),
                TimeSpan.FromSeconds(30),
                "carol sees the user, verified (they proved the passphrase)");
            Assert.DoesNotContain(Passphrase, await PaneAsync(user), StringComparison.Ordinal);
        }
        finally
        {
            await TmuxAsync(user, "kill-server");
        }
    }

    /// <summary>A tmux terminal of <paramref name="user"/>'s own in which the line runs, then says how the script ended.</summary>
    private static async Task StartTerminalAsync(string user, string line)
    {
        var (started, why) = await Run.ProgramAsync("runuser", "-u", user, "--", "tmux", "-L", "s2c-" + user, "new-session", "-d", "-x", "110", "-y", "32", "--", "sh", "-c", $"cd && {line}; echo ENDED $?; sleep 60");
        Assert.True(started == 0, why);
    }

    private static async Task<string> PaneAsync(string user) =>
        (await Run.ProgramAsync("runuser", "-u", user, "--", "tmux", "-L", "s2c-" + user, "capture-pane", "-J", "-p", "-S", "-40")).Output;

    /// <summary>A tmux command in the user's terminal (send-keys, kill-server).</summary>
    private static Task TmuxAsync(string user, params string[] command) =>
        Run.ProgramAsync("runuser", ["-u", user, "--", "tmux", "-L", "s2c-" + user, .. command]);

    [Fact(Timeout = 240_000)]
    public async Task OnAMachineWithoutLibopusAndGtk_TheScriptSaysWhatToInstall_AndTheCallGoesOn()
    {
        var user = await NewUserAsync();
        var line = await LineAsync();

        // A mount namespace of the user's own in which the two libraries are empty files, as if not installed.
        var hide = string.Concat(new[] { "libopus.so.0", "libgtk-3.so.0" }.Select(l => $"mount --bind /dev/null \"$(readlink -f {DaemonProcess.LibraryPath(l)})\" && "));
        var (code, output) = await Run.ProgramAsync("unshare", "--mount", "--", "sh", "-c", $"{hide}exec runuser -u {user} -- sh -c 'cd && {line}'");
        Assert.True(code == 0, output);
        Assert.Contains("s2c: for the camera or sound, install: sudo apt install libgtk-3-0 libopus0 (the call goes on without them)", output, StringComparison.Ordinal);
        await BobSeesAsync(user, TimeSpan.FromSeconds(30));
    }

    [Fact(Timeout = 240_000)]
    public async Task InChromium_TheCopiedLine_PastedByAUserWithoutS2cd_GetsThemIntoTheCall()
    {
        var user = await NewUserAsync();
        using var browser = HeadlessChromium.Start(_root.Sub("chromium"));
        string? copied;
        try
        {
            copied = await JoinLineTests.CopyJoinLineAsync(browser, new Uri(_web!.Web, "/s/" + Session));
        }
        finally
        {
            browser.Screenshot("join-line-package.png");
        }

        Assert.Equal(await LineAsync(), copied);
        var (code, output) = await AsUserAsync(user, copied!);
        Assert.True(code == 0, output);
        await BobSeesAsync(user, TimeSpan.FromSeconds(30));
    }

    /// <summary>The line the session's page shows.</summary>
    private async Task<string> LineAsync()
    {
        using var http = _web!.Client();
        return WebRelay.JoinLineOf(await http.GetStringAsync("/s/" + Session, TestContext.Current.CancellationToken))
            ?? throw new InvalidOperationException("the page shows no join line");
    }

    /// <summary>A user with a home and nothing else, who has no s2c-attach on their PATH.</summary>
    private async Task<string> NewUserAsync()
    {
        var user = "s2cj" + Guid.NewGuid().ToString("N")[..6];
        var (code, output) = await Run.ProgramAsync("useradd", "-m", "-s", "/bin/sh", user);
        Assert.True(code == 0, output);
        _users.Add(user);
        var (found, where) = await Run.ProgramAsync("runuser", "-u", user, "--", "sh", "-c", "command -v s2c-attach s2cd");
        Assert.True(found != 0, $"{user} must not have s2cd on their PATH: {where}");
        return user;
    }

    /// <summary>Runs <paramref name="line"/> as <paramref name="user"/> in their home, without a terminal.</summary>
    private static Task<(int ExitCode, string Output)> AsUserAsync(string user, string line) =>
        Run.ProgramAsync("runuser", "-u", user, "--", "sh", "-c", $"cd && {line}");

    private async Task BobSeesAsync(string user, TimeSpan within) =>
        await Eventually.TrueAsync(
            async () => (await _bobControl!.WhoAsync()).Any(p => p.Name.StartsWith(user + "@", StringComparison.Ordinal) && p.Trust == Trust.Verified),
            within < TimeSpan.Zero ? TimeSpan.Zero : within,
            $"bob sees {user} in the call, verified");
}
