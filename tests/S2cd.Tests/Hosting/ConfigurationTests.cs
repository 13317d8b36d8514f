using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Hosting;

/// <summary>The daemon refuses a bad configuration with one line naming the key and what is allowed.</summary>
public sealed class ConfigurationTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(new[] { "--role", "boss" }, "Role", "participant or relay")]
    [InlineData(new[] { "--listen", "127.0.0.1:70000" }, "Relay:Listen", "port")]
    [InlineData(new[] { "--relay", "nocolon" }, "Conference:Relay", "HOST:PORT")]
    [InlineData(new[] { "--name", "bad\u0007name" }, "Conference:Name", "control")]
    [InlineData(new[] { "--Relay:MaxSessions", "0" }, "Relay:MaxSessions", "1 to 100000")]
    [InlineData(new[] { "--Relay:MaxSessions", "lots" }, "MaxSessions", "lots")]
    [InlineData(new[] { "--state-dir", "relative/dir" }, "StateDirectory", "absolute path")]
    [InlineData(new[] { "--Video:Fps", "500" }, "Video:Fps", "1 to 60")]
    [InlineData(new[] { "--Video:JpegQuality", "0" }, "Video:JpegQuality", "1 to 100")]
    [InlineData(new[] { "--camera", "bad\u0001" }, "Video:Camera", "testpattern")]
    public async Task Start_InvalidValue_ExitsWithOneLineNamingTheKey(string[] args, string key, string allowed)
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", args);
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(78, daemon.ExitCode);
        var lines = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("s2cd: invalid configuration:", line, StringComparison.Ordinal);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Contains(allowed, line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_UnknownSettingInTheFileOrTheEnvironment_NamesItAndTheSettingsOfItsSection()
    {
        // (The command line refuses an unknown --Section:Key itself, as an unknown option.)
        using var root = new TempDirectory();
        var config = Path.Combine(root.Path, "typo.json");
        await File.WriteAllTextAsync(config, """{ "Audio": { "Capture": "hw:1" } }""", TestContext.Current.CancellationToken);
        await using (var fromFile = DaemonProcess.Start(root, "file", ["--config", config]))
        {
            Assert.True(await fromFile.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(78, fromFile.ExitCode);
            var line = Assert.Single(fromFile.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("s2cd: invalid configuration: unknown setting Audio:Capture; known in Audio: ", line, StringComparison.Ordinal);
            Assert.Contains("CaptureDevice, PlaybackDevice", line, StringComparison.Ordinal);
        }

        await using var fromEnvironment = DaemonProcess.Start(root, "env", [], new Dictionary<string, string> { ["S2CD_Relay__MaxSesions"] = "5" });
        Assert.True(await fromEnvironment.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(78, fromEnvironment.ExitCode);
        var envLine = Assert.Single(fromEnvironment.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("s2cd: invalid configuration: unknown setting Relay:MaxSesions; known in Relay: ", envLine, StringComparison.Ordinal);
        Assert.Contains("MaxSessions", envLine, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_EachLayerTakesEffect_FileUnderEnvironmentUnderCommandLine()
    {
        using var root = new TempDirectory();
        // The command line's relay: one of its own, on a port it bound itself. The file's embedded relay binds port 0
        // too, and status says which port it got.
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var config = Path.Combine(root.Path, "s2cd.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Conference": { "Name": "from-file", "Relay": "127.0.0.1:4000" },
              "Relay": { "Listen": "127.0.0.1:0" },
              "Video": { "Camera": "/nonexistent/file-camera.avi" },
              "Audio": { "CaptureDevice": "file-capture" }
            }
            """, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string>
        {
            ["S2CD_Conference__Name"] = "from-env",
            ["S2CD_Audio__CaptureDevice"] = "env-capture",
            ["S2CD_Audio__PlaybackDevice"] = "env-playback",
            ["S2CD_Video__RetrySeconds"] = "7",
            ["S2CD_Relay__MaxSessions"] = "1",
        };
        await using var daemon = DaemonProcess.Start(
            root, "d", ["--config", config, "--relay", $"127.0.0.1:{port}", "--Audio:CaptureDevice", "cli-capture"], environment);
        await daemon.WaitReadyAsync();
        await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);

        // The relay from the command line over the file's 127.0.0.1:4000, which nothing listens on: the join works.
        await client.JoinAsync("layers");
        await Eventually.TrueAsync(
            async () => (await client.StatusAsync()) is { Microphone.Condition: DeviceCondition.Unavailable, Speaker.Condition: DeviceCondition.Unavailable, Camera.Condition: DeviceCondition.Unavailable },
            TimeSpan.FromSeconds(20),
            "devices tried");
        var status = await client.StatusAsync();
        Assert.Equal("from-env", status.Name);                                                           // environment over file
        Assert.Equal($"127.0.0.1:{port}", status.Relay);                                                  // command line over file
        Assert.StartsWith("127.0.0.1:", status.RelayListen, StringComparison.Ordinal);                    // file alone (not the default 1122)
        var embeddedPort = int.Parse(status.RelayListen![10..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(1122, embeddedPort);
        Assert.StartsWith("snd_pcm_open(cli-capture)", status.Microphone.Detail, StringComparison.Ordinal);  // command line over both
        Assert.StartsWith("snd_pcm_open(env-playback)", status.Speaker.Detail, StringComparison.Ordinal);    // environment alone
        Assert.StartsWith("video file /nonexistent/file-camera.avi does not exist", status.Camera.Detail, StringComparison.Ordinal);
        Assert.Equal(7, status.Camera.RetrySeconds);

        // S2CD_Relay__MaxSessions=1 reached the embedded relay: its first session is taken, a second is refused.
        await using var other = await DaemonProcess.StartParticipantAsync(root, "other", $"127.0.0.1:{embeddedPort}");
        await using var otherClient = await TestControlClient.ConnectAsync(other.SocketPath);
        await otherClient.JoinAsync("first");
        await using var third = await DaemonProcess.StartParticipantAsync(root, "third", $"127.0.0.1:{embeddedPort}");
        await using var thirdClient = await TestControlClient.ConnectAsync(third.SocketPath);
        var refused = await Assert.ThrowsAsync<StreamJsonRpc.RemoteInvocationException>(() => thirdClient.JoinAsync("second"));
        Assert.Contains("limit of 1 sessions", refused.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_ConfigFileMissingOrBroken_ExitsWithOneLine()
    {
        using var root = new TempDirectory();
        await using (var missing = DaemonProcess.Start(root, "a", ["--config", "/nonexistent/s2cd.json"]))
        {
            Assert.True(await missing.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(78, missing.ExitCode);
            Assert.Contains("/nonexistent/s2cd.json", Assert.Single(missing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        }

        var broken = Path.Combine(root.Path, "broken.json");
        await File.WriteAllTextAsync(broken, "{ \"Conference\": ", TestContext.Current.CancellationToken);
        await using var daemon = DaemonProcess.Start(root, "b", ["--config", broken]);
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(78, daemon.ExitCode);
        Assert.Single(daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_UnknownKeyInAKnownSection_FromTheEnvironment_ExitsWithOneLineNamingIt_FromTheCommandLine_IsUsageError()
    {
        using var root = new TempDirectory();
        await using (var environment = DaemonProcess.Start(root, "e", [], new Dictionary<string, string> { ["S2CD_Relay__NoSuchKey"] = "1" }))
        {
            Assert.True(await environment.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(78, environment.ExitCode);
            var line = Assert.Single(environment.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("s2cd: invalid configuration:", line, StringComparison.Ordinal);
            Assert.Contains("NoSuchKey", line, StringComparison.Ordinal);
        }

        await using var commandLine = DaemonProcess.Start(root, "c", ["--Relay:NoSuchKey", "1"]);
        Assert.True(await commandLine.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, commandLine.ExitCode);
        Assert.Contains("unknown option --Relay:NoSuchKey", commandLine.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_UnknownOption_IsUsageError()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--frobnicate", "1"]);
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, daemon.ExitCode);
        Assert.Contains("unknown option --frobnicate", daemon.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Start_SocketAlreadyServed_SecondDaemonRefusesAndFirstCarriesOn()
    {
        using var root = new TempDirectory();
        await using var first = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0"]);
        await first.WaitReadyAsync();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { DaemonProcess.DaemonPath, "--socket", first.SocketPath, "--listen", "127.0.0.1:0", "--Control:Group", "" })
        {
            info.ArgumentList.Add(arg);
        }

        using var second = System.Diagnostics.Process.Start(info)!;
        var output = await second.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken) + await second.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await second.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("already listening", output, StringComparison.Ordinal);
        await using var client = await TestControlClient.ConnectAsync(first.SocketPath);
        Assert.NotNull(await client.StatusAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task ACorruptIdentityFile_StopsTheDaemonWithOneLineSayingWhatToDo()
    {
        using var root = new TempDirectory();
        var state = Path.Combine(root.Sub("d"), "state");
        Directory.CreateDirectory(state);
        File.WriteAllBytes(Path.Combine(state, S2cd.Security.DaemonIdentity.FileName), [1, 2, 3, 4]);
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0"]);
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, daemon.ExitCode);
        // Stdout and stderr reach the test through two pipes, so their lines may come in either order.
        var line = Assert.Single(daemon.Output.Split('\n'), l => l.StartsWith("s2cd: ", StringComparison.Ordinal));
        Assert.StartsWith("s2cd: the identity in ", line, StringComparison.Ordinal);
        Assert.Contains("identity.pfx cannot be read; move the file away", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at S2cd.", daemon.Output, StringComparison.Ordinal);
    }
}
