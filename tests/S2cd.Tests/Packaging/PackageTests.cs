using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Packaging;

/// <summary>
/// The units and the Debian package as a user gets them: systemd-analyze on the units, the .deb built by
/// packaging/build-deb.sh, inspected with dpkg-deb and lintian, installed on this machine with dpkg, the
/// installed daemon run as its system user with a real second user at its socket, then purged.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed partial class PackageTests
{
    private readonly BuiltPackage _package;

    public PackageTests(BuiltPackage package) => _package = package;

    [Theory(Timeout = 120_000)]
    [InlineData("s2cd.service")]
    [InlineData("s2c-relay.service")]
    public async Task Units_ScoreUnderFourInSystemdAnalyzeSecurity(string unit)
    {
        var (code, output) = await Run.ProgramAsync("systemd-analyze", "security", "--offline=true", Path.Combine(Run.RepositoryRoot(), "systemd", unit));
        Assert.True(code == 0, output);
        var score = double.Parse(ExposureScore().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(score < 4.0, $"{unit} exposure {score}\n{output}");
    }

    [Fact(Timeout = 900_000)]
    public async Task Package_HoldsFilesConffilesAndDependencies_AndLintianFindsNoErrorOrWarning()
    {
        var deb = await _package.PathAsync();
        var (_, contents) = await Run.ProgramAsync("dpkg-deb", "--contents", deb);
        foreach (var path in new[]
        {
            "./usr/lib/s2cd/s2cd", "./usr/lib/s2cd/s2c-attach", "./usr/lib/s2cd/libOpenCvSharpExtern.so", "./usr/sbin/s2cd -> ../lib/s2cd/s2cd",
            "./usr/bin/s2c-attach -> ../lib/s2cd/s2c-attach", "./lib/systemd/system/s2cd.service", "./lib/systemd/system/s2c-relay.service",
            "./usr/lib/sysusers.d/s2cd.conf", "./usr/lib/tmpfiles.d/s2cd.conf", "./etc/s2cd/s2cd.json", "./etc/s2cd/s2c-relay.json",
            "./usr/share/doc/s2cd/copyright", "./usr/share/doc/s2cd/changelog.gz", "./usr/share/doc/s2cd/examples/nats-cluster.conf", "./usr/share/man/man8/s2cd.8.gz", "./usr/share/man/man1/s2c-attach.1.gz",
        })
        {
            Assert.Contains(path, contents, StringComparison.Ordinal);
        }

        Assert.Matches(@"-rwxr-xr-x root/root .* \./usr/lib/s2cd/s2cd\n", contents);

        // Both programs compiled ahead of time: no .NET runtime, no assemblies.
        Assert.DoesNotContain(".dll", contents, StringComparison.Ordinal);
        Assert.DoesNotContain("libcoreclr.so", contents, StringComparison.Ordinal);
        var (_, suggests) = await Run.ProgramAsync("dpkg-deb", "--field", deb, "Suggests");
        Assert.Contains("nats-server", suggests, StringComparison.Ordinal);
        var (_, depends) = await Run.ProgramAsync("dpkg-deb", "--field", deb, "Depends");
        foreach (var library in new[] { "libasound2", "libopus0", "libspeexdsp1", "libgtk-3-0", "libssl3", "libstdc++6" })
        {
            Assert.Contains(library, depends, StringComparison.Ordinal);
        }

        // Exactly the run packages of the project's one list.
        var (_, listed) = await Run.ProgramAsync(Path.Combine(Run.RepositoryRoot(), "packaging", "packages.sh"), "depends");
        Assert.Equal(listed.Trim(), depends.Trim());

        var (_, conffiles) = await Run.ProgramAsync("dpkg-deb", "--info", deb, "conffiles");
        Assert.Equal("/etc/s2cd/s2cd.json\n/etc/s2cd/s2c-relay.json\n", conffiles);

        var (_, lint) = await Run.ProgramAsync("lintian", "--tag-display-limit", "0", deb);
        var tags = lint.Split('\n').Where(l => l.StartsWith("E:", StringComparison.Ordinal) || l.StartsWith("W:", StringComparison.Ordinal)).ToList();
        Assert.True(tags.Count == 0, "lintian:\n" + string.Join('\n', tags));
    }

    [Fact(Timeout = 900_000)]
    public async Task Package_Installs_RunsAsItsUser_KeepsStateOnUpgrade_AndPurgeLeavesNothing()
    {
        Assert.True(Environment.UserName == "root", "installing a package needs root (dpkg -i)");
        var deb = await _package.PathAsync();
        var tester = "s2ctest" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        await Run.ProgramAsync("dpkg", "--purge", "s2cd");
        try
        {
            var (installed, installLog) = await Run.ProgramAsync("dpkg", "-i", deb);
            Assert.True(installed == 0, installLog);
            foreach (var file in new[] { "/usr/lib/s2cd/s2cd", "/etc/s2cd/s2cd.json", "/lib/systemd/system/s2cd.service", "/usr/share/man/man8/s2cd.8.gz" })
            {
                Assert.True(File.Exists(file), file);
            }

            Assert.True(File.Exists("/etc/systemd/system/multi-user.target.wants/s2cd.service"), "s2cd.service is enabled");
            var (_, groups) = await Run.ProgramAsync("id", "-nG", "s2cd");
            Assert.Equal(["audio", "s2c", "s2cd", "video"], groups.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
            Assert.Equal(0, (await Run.ProgramAsync("getent", "group", "s2c")).ExitCode);
            Assert.Equal("drwx------", (await Run.ProgramAsync("stat", "-c", "%A %U", "/var/lib/s2cd")).Output[..10]);

            var (versionCode, version) = await Run.ProgramAsync("/usr/sbin/s2cd", "--version");
            Assert.Equal((0, "s2cd 0.1.0"), (versionCode, version.Trim()));
            var (helpCode, help) = await Run.ProgramAsync("/usr/bin/s2c-attach", "--help");
            Assert.Equal(0, helpCode);
            Assert.Contains("join", help, StringComparison.Ordinal);
            var (verifyCode, verify) = await Run.ProgramAsync("systemd-analyze", "verify", "--man=no", "/lib/systemd/system/s2cd.service", "/lib/systemd/system/s2c-relay.service");
            Assert.True(verifyCode == 0, verify);
            foreach (var library in Directory.GetFiles("/usr/lib/s2cd", "*.so"))
            {
                Assert.DoesNotContain("not found", (await Run.ProgramAsync("ldd", library)).Output, StringComparison.Ordinal);
            }

            // The installed daemon as systemd would run it: its user and groups, its runtime and state directories.
            var identity = await RunInstalledDaemonAsync(tester);
            await RunInstalledRelayAsync();

            // The administrator edits the configuration; then an upgrade to a higher version keeps that edit and the
            // daemon's state, without asking (the package's own copy of the conffile did not change).
            var edited = (await File.ReadAllTextAsync("/etc/s2cd/s2cd.json", TestContext.Current.CancellationToken)).Replace("\"Fps\": 15", "\"Fps\": 10", StringComparison.Ordinal);
            Assert.Contains("\"Fps\": 10", edited, StringComparison.Ordinal);
            await File.WriteAllTextAsync("/etc/s2cd/s2cd.json", edited, TestContext.Current.CancellationToken);
            var newer = await _package.HigherVersionAsync("0.1.1");
            await UpgradeInACallAsync(newer);
            Assert.Equal("0.1.1", (await Run.ProgramAsync("dpkg-query", "-W", "-f", "${Version}", "s2cd")).Output.Trim());
            Assert.Equal("s2cd 0.1.1", (await Run.ProgramAsync("/usr/sbin/s2cd", "--version")).Output.Trim());
            Assert.Equal(edited, await File.ReadAllTextAsync("/etc/s2cd/s2cd.json", TestContext.Current.CancellationToken));
            Assert.Equal(identity, await File.ReadAllBytesAsync("/var/lib/s2cd/identity.pfx", TestContext.Current.CancellationToken));

            // apt remove takes the program and keeps the configuration and the state.
            var (removed, removeLog) = await Run.ProgramWithEnvironmentAsync("apt-get", new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" }, "remove", "-y", "s2cd");
            Assert.True(removed == 0, removeLog);
            Assert.False(File.Exists("/usr/lib/s2cd/s2cd"), "the program is gone after remove");
            Assert.Equal(edited, await File.ReadAllTextAsync("/etc/s2cd/s2cd.json", TestContext.Current.CancellationToken));
            Assert.Equal(identity, await File.ReadAllBytesAsync("/var/lib/s2cd/identity.pfx", TestContext.Current.CancellationToken));
            Assert.Equal(0, (await Run.ProgramAsync("getent", "passwd", "s2cd")).ExitCode);
            Assert.Equal("deinstall ok config-files", (await Run.ProgramAsync("dpkg-query", "-W", "-f", "${Status}", "s2cd")).Output.Trim());

            var (purged, purgeLog) = await Run.ProgramAsync("dpkg", "--purge", "s2cd");
            Assert.True(purged == 0, purgeLog);
            foreach (var path in new[]
            {
                "/usr/lib/s2cd", "/usr/sbin/s2cd", "/usr/bin/s2c-attach", "/etc/s2cd", "/var/lib/s2cd", "/var/lib/s2c-relay", "/run/s2cd", "/run/s2c-relay",
                "/lib/systemd/system/s2cd.service", "/etc/systemd/system/multi-user.target.wants/s2cd.service", "/usr/share/doc/s2cd",
            })
            {
                Assert.False(File.Exists(path) || Directory.Exists(path), $"{path} is left after purge");
            }

            Assert.Empty(Directory.GetFiles("/var/lib/systemd", "*s2c*", SearchOption.AllDirectories));
            Assert.NotEqual(0, (await Run.ProgramAsync("getent", "passwd", "s2cd")).ExitCode);
            Assert.NotEqual(0, (await Run.ProgramAsync("getent", "group", "s2c")).ExitCode);
            Assert.NotEqual(0, (await Run.ProgramAsync("getent", "group", "s2cd")).ExitCode);
            Assert.Contains("no packages found", (await Run.ProgramAsync("dpkg-query", "-W", "s2cd")).Output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await Run.ProgramAsync("pkill", "-f", "^/usr/sbin/s2cd");
            await Run.ProgramAsync("dpkg", "--purge", "s2cd");
            await Run.ProgramAsync("userdel", tester);
        }
    }

    /// <summary>
    /// Runs /usr/sbin/s2cd under the sandbox of the installed s2cd.service, as far as it can run without systemd
    /// (tests/S2cd.TestSupport/unit-sandbox: its user and groups, its runtime and state directories, no capabilities, its system
    /// call filter); checks the socket is s2cd:s2c 0660; a real second user is refused with the hint until it is in
    /// group s2c. Returns the identity the daemon made.
    /// </summary>
    private static async Task<byte[]> RunInstalledDaemonAsync(string tester)
    {
        var daemon = Task.Run(() => Run.ProgramAsync(UnitSandbox, "/lib/systemd/system/s2cd.service", "--", "/usr/sbin/s2cd", "--Audio:Enabled", "false"));
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(UnixSocketProbe.Answers("/run/s2cd/s2cd.sock") && File.Exists("/var/lib/s2cd/identity.pfx")), TimeSpan.FromSeconds(30), "the installed daemon's socket");
            Assert.Equal("s2cd s2c 660", (await Run.ProgramAsync("stat", "-c", "%U %G %a", "/run/s2cd/s2cd.sock")).Output.Trim());
            Assert.Equal("s2cd s2c 600", (await Run.ProgramAsync("stat", "-c", "%U %G %a", "/var/lib/s2cd/identity.pfx")).Output.Trim());

            Assert.Equal(0, (await Run.ProgramAsync("useradd", "-M", "-s", "/bin/sh", tester)).ExitCode);
            var (refused, refusal) = await Run.ProgramAsync("runuser", "-u", tester, "--", "/usr/bin/s2c-attach", "status");
            Assert.NotEqual(0, refused);
            Assert.Contains("permission denied on /run/s2cd/s2cd.sock", refusal, StringComparison.Ordinal);
            Assert.Contains("usermod -aG s2c", refusal, StringComparison.Ordinal);

            Assert.Equal(0, (await Run.ProgramAsync("usermod", "-aG", "s2c", tester)).ExitCode);
            var (allowed, status) = await Run.ProgramAsync("runuser", "-u", tester, "--", "/usr/bin/s2c-attach", "status");
            Assert.True(allowed == 0, status);
            Assert.Contains("(participant)", status, StringComparison.Ordinal);
            Assert.Contains("Identity   SHA256:", status, StringComparison.Ordinal);

            // The installed s2c-attach is one native file (NativeAOT), not a .NET assembly run by the runtime.
            Assert.False(File.Exists("/usr/lib/s2cd/s2c-attach.dll"), "s2c-attach ships compiled ahead of time");
            Assert.Equal("\u007fELF", Encoding.ASCII.GetString(File.ReadAllBytes("/usr/lib/s2cd/s2c-attach").AsSpan(0, 4)));
            var (muted, mute) = await Run.ProgramAsync("runuser", "-u", tester, "--", "/usr/bin/s2c-attach", "mute");
            Assert.True(muted == 0 && mute.Contains("Microphone muted.", StringComparison.Ordinal), mute);
            var (json, statusJson) = await Run.ProgramAsync("runuser", "-u", tester, "--", "/usr/bin/s2c-attach", "status", "--json");
            Assert.True(json == 0, statusJson);
            Assert.Contains("\"muted\": true", statusJson, StringComparison.Ordinal);
            return await File.ReadAllBytesAsync("/var/lib/s2cd/identity.pfx");
        }
        finally
        {
            await Run.ProgramAsync("pkill", "-TERM", "-f", "^/usr/sbin/s2cd");
            var (code, log) = await daemon.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(code == 0, log);
        }
    }

    /// <summary>
    /// The upgrade while the installed daemon is in a call: a relay and a second member (the build's daemon) in session
    /// "upgrade" with the installed daemon (under its unit's sandbox); <c>dpkg -i</c> of the higher version; then what the
    /// postinst has systemd do (restart s2cd.service: SIGTERM, and the new binary started). The new daemon is back in the
    /// call, seen by the other member with the same certificate, and says it runs the new version.
    /// </summary>
    private static async Task UpgradeInACallAsync(string newer)
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        await using var bobControl = await TestControlClient.ConnectAsync(bob.SocketPath);
        await bobControl.JoinAsync("upgrade");
        string[] daemon = [UnitSandbox, "/lib/systemd/system/s2cd.service", "--", "/usr/sbin/s2cd", "--name", "installed", "--relay", $"127.0.0.1:{port}", "--Relay:Embedded", "false", "--Audio:Enabled", "false"];
        var old = Task.Run(() => Run.ProgramAsync(daemon[0], daemon[1..]));
        Task<(int ExitCode, string Output)>? upgraded = null;
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(UnixSocketProbe.Answers("/run/s2cd/s2cd.sock")), TimeSpan.FromSeconds(30), "the installed daemon's socket");
            var (joined, joinLog) = await Run.ProgramAsync("/usr/bin/s2c-attach", "join", "upgrade", "--detach");
            Assert.True(joined == 0, joinLog);
            ParticipantInfo? before = null;
            await Eventually.TrueAsync(
                async () => (before = (await bobControl.WhoAsync()).FirstOrDefault(p => p.Name == "installed" && p.Trust == Trust.Verified)) is not null,
                TimeSpan.FromSeconds(20),
                "bob sees the installed daemon, verified");

            var (installed, upgradeLog) = await Run.ProgramAsync("dpkg", "-i", newer);
            Assert.True(installed == 0, upgradeLog);

            // systemctl restart s2cd.service, as the postinst asks of systemd: the old daemon stops on SIGTERM...
            await Run.ProgramAsync("pkill", "-TERM", "-f", "^/usr/sbin/s2cd --name installed");
            var (stopped, stopLog) = await old.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
            Assert.True(stopped == 0, stopLog);

            // ...and the new one starts: back in the call with the same identity, within the rejoin window.
            upgraded = Task.Run(() => Run.ProgramAsync(daemon[0], daemon[1..]));
            await Eventually.TrueAsync(
                async () => (await bobControl.WhoAsync()).Any(p => p.Name == "installed" && p.Id != before!.Id && p.Fingerprint == before.Fingerprint && p.Trust == Trust.Verified),
                TimeSpan.FromSeconds(30),
                "the upgraded daemon back in the call with the same certificate");
            var (code, status) = await Run.ProgramAsync("/usr/bin/s2c-attach", "status", "--json");
            Assert.True(code == 0, status);
            var compact = status.Replace(" ", string.Empty, StringComparison.Ordinal);
            Assert.Contains("\"daemonVersion\":\"0.1.1\"", compact, StringComparison.Ordinal);
            Assert.Contains("\"session\":\"upgrade\"", compact, StringComparison.Ordinal);
        }
        finally
        {
            await Run.ProgramAsync("pkill", "-TERM", "-f", "^/usr/sbin/s2cd --name installed");
            foreach (var run in new[] { old, upgraded })
            {
                if (run is not null)
                {
                    await run.WaitAsync(TimeSpan.FromSeconds(15));
                }
            }
        }
    }

    /// <summary>
    /// The relay under the sandbox of the installed s2c-relay.service, with the shipped /etc/s2cd/s2c-relay.json
    /// (on a free port) and a fabric: a real nats-server it reaches through its system call filter; and its web front.
    /// </summary>
    private static async Task RunInstalledRelayAsync()
    {
        await using var nats = await NatsCluster.StartAsync(nodes: 1);
        var key = Convert.ToBase64String(new byte[32]);
        var relay = Task.Run(() => Run.ProgramAsync(
            UnitSandbox, "/lib/systemd/system/s2c-relay.service", "--", "/usr/sbin/s2cd", "--role", "relay", "--config", "/etc/s2cd/s2c-relay.json", "--listen", "127.0.0.1:0",
            "--fabric", nats.Url(0), "--Relay:FabricUser", NatsCluster.User, "--Relay:FabricPassword", NatsCluster.Password, "--Relay:FabricKey", key));
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(UnixSocketProbe.Answers("/run/s2c-relay/s2c-relay.sock")), TimeSpan.FromSeconds(30), "the installed relay's socket");
            var (code, status) = await Run.ProgramAsync("/usr/bin/s2c-attach", "--socket", "/run/s2c-relay/s2c-relay.sock", "status");
            Assert.True(code == 0, status);
            Assert.Contains("(relay)", status, StringComparison.Ordinal);
            Assert.Contains("Fabric     connected", status, StringComparison.Ordinal);

            // The shipped configuration serves the web front on 127.0.0.1:8122, through the unit's sandbox too.
            Assert.Contains("Web front  http://127.0.0.1:8122", status, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:8122/") };
            Assert.Equal("ready\n", await http.GetStringAsync("/readyz"));
            Assert.Contains("s2c_relay_fabric_connected 1", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);
            Assert.Equal("s2cd s2c 660", (await Run.ProgramAsync("stat", "-c", "%U %G %a", "/run/s2c-relay/s2c-relay.sock")).Output.Trim());

            // Under the sandbox the relay packs its own build for the one-line join into its state directory.
            await Eventually.TrueAsync(
                async () => (await Run.ProgramAsync("/usr/bin/s2c-attach", "--socket", "/run/s2c-relay/s2c-relay.sock", "status")).Output.Contains("Join line  offers s2cd-", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60),
                "the installed relay offering its build");
            Assert.Equal("s2cd", (await Run.ProgramAsync("stat", "-c", "%U", "/var/lib/s2c-relay/downloads")).Output.Trim());
            Assert.Equal("s2cd s2c 600", (await Run.ProgramAsync("stat", "-c", "%U %G %a", "/var/lib/s2c-relay/relay-certificate.pfx")).Output.Trim());
        }
        finally
        {
            await Run.ProgramAsync("pkill", "-TERM", "-f", "^/usr/sbin/s2cd --role relay");
            var (code, log) = await relay.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(code == 0, log);
        }
    }

    /// <summary>Runs a command under a unit file's sandbox (see the script).</summary>
    private static string UnitSandbox => Path.Combine(Run.RepositoryRoot(), "tests", "S2cd.TestSupport", "unit-sandbox");

    [GeneratedRegex(@"Overall exposure level for \S+: ([0-9.]+)")]
    private static partial Regex ExposureScore();

    /// <summary>The .deb, built once for the packaging collection by packaging/build-deb.sh into a folder of its own.</summary>
    public sealed class BuiltPackage : IDisposable
    {
        private readonly string _out = Directory.CreateTempSubdirectory("s2cd-deb-test").FullName;
        private Task<string>? _build;

        public Task<string> PathAsync() => _build ??= BuildAsync();

        /// <summary>
        /// A second package of a higher <paramref name="version"/>, built by packaging/build-deb.sh with S2CD_VERSION set,
        /// as a release would be.
        /// </summary>
        public async Task<string> HigherVersionAsync(string version)
        {
            var directory = Path.Combine(_out, version);
            var (code, output) = await Run.ProgramWithEnvironmentAsync(
                Path.Combine(Run.RepositoryRoot(), "packaging", "build-deb.sh"), new Dictionary<string, string> { ["S2CD_VERSION"] = version }, directory);
            Assert.True(code == 0, output);
            return Directory.GetFiles(directory, $"s2cd_{version}_amd64.deb").Single();
        }

        public void Dispose() => Directory.Delete(_out, recursive: true);

        private async Task<string> BuildAsync()
        {
            var (code, output) = await Run.ProgramAsync(Path.Combine(Run.RepositoryRoot(), "packaging", "build-deb.sh"), _out);
            Assert.True(code == 0, output);
            return Directory.GetFiles(_out, "s2cd_*_amd64.deb").Single();
        }
    }
}
