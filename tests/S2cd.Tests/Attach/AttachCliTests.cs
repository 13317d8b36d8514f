using System.Reflection;
using System.Text.Json;
using S2cd.Tests.Support;

namespace S2cd.Tests.Attach;

/// <summary>The real s2c-attach process: exit codes, help, and what it must not depend on.</summary>
public sealed class AttachCliTests
{
    [Fact]
    public void AttachAssembly_DependsOnNeitherOpenCvNorAlsaNorTheDaemon()
    {
        var attach = Assembly.LoadFrom(DaemonProcess.AttachPath);
        var references = attach.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("S2cd.Contract", references);
        Assert.DoesNotContain(references, r => r.Contains("OpenCv", StringComparison.OrdinalIgnoreCase)
            || r.Contains("Alsa", StringComparison.OrdinalIgnoreCase) || r == "s2cd");

        using var deps = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(DaemonProcess.AttachPath, ".deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.NotEmpty(libraries);
        Assert.DoesNotContain(libraries, l => l.Contains("OpenCv", StringComparison.OrdinalIgnoreCase)
            || l.Contains("Alsa", StringComparison.OrdinalIgnoreCase) || l.StartsWith("s2cd/", StringComparison.Ordinal));

        // The contract library itself stays free of both too (it names StreamJsonRpc: its interfaces are RPC contracts).
        var contract = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "S2cd.Contract.dll"));
        Assert.DoesNotContain(contract.GetReferencedAssemblies(), a => a.Name!.Contains("OpenCv", StringComparison.OrdinalIgnoreCase) || a.Name == "s2cd");
    }

    [Fact(Timeout = 60_000)]
    public async Task AnyVerb_NoDaemon_ExitsThreeWithHowToStartIt()
    {
        using var root = new TempDirectory();
        var (code, _, stderr) = await AttachRunner.RunAsync(Path.Combine(root.Path, "none.sock"), "status");
        Assert.Equal(3, code);
        Assert.Contains("systemctl start s2cd", stderr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("frobnicate")]
    [InlineData("join")]
    [InlineData("join", "bad name")]
    [InlineData("join", "ok", "--relay", "host")]
    [InlineData("camera", "sideways")]
    [InlineData("mute", "--loudly")]
    [InlineData("volume", "alice")]
    [InlineData("volume", "alice", "loud")]
    [InlineData("volume", "alice", "201")]
    [InlineData("join", "ok", "--relay-fingerprint", "SHA256:short")]
    public async Task BadUsage_ExitsTwo(params string[] args)
    {
        var (code, _, stderr) = await AttachRunner.RunAsync("/nonexistent.sock", args);
        Assert.Equal(2, code);
        Assert.Contains("s2c-attach:", stderr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("join")]
    [InlineData("leave")]
    [InlineData("mute")]
    [InlineData("unmute")]
    [InlineData("camera")]
    [InlineData("status")]
    [InlineData("who")]
    [InlineData("devices")]
    [InlineData("preview")]
    [InlineData("volume")]
    public async Task Help_OnEveryVerb_DescribesIt(string verb)
    {
        var (code, stdout, _) = await AttachRunner.RunAsync(null, verb, "--help");
        Assert.Equal(0, code);
        Assert.Contains($"s2c-attach {verb}", stdout, StringComparison.Ordinal);
        Assert.Contains("--socket", stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Version_PrintsTheVersion()
    {
        var (code, stdout, _) = await AttachRunner.RunAsync(null, "--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
    }

    [Fact(Timeout = 60_000)]
    public async Task Refusal_ExitsOneWithTheDaemonsReason()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "d", ["--listen", "127.0.0.1:0"]);
        await daemon.WaitReadyAsync();
        var (code, _, stderr) = await AttachRunner.RunAsync(daemon.SocketPath, "leave");
        Assert.Equal(1, code);
        Assert.Contains("not in a session", stderr, StringComparison.Ordinal);

        var (devicesCode, devices, _) = await AttachRunner.RunAsync(daemon.SocketPath, "devices");
        Assert.Equal(0, devicesCode);
        Assert.Contains("* testpattern", devices, StringComparison.Ordinal);
        Assert.Contains("Playback (Audio:PlaybackDevice)", devices, StringComparison.Ordinal);

        var (joinCode, _, joinErr) = await AttachRunner.RunAsync(daemon.SocketPath, "join", "x", "--relay", "127.0.0.1:1");
        Assert.Equal(1, joinCode);
        Assert.Contains("cannot reach relay 127.0.0.1:1", joinErr, StringComparison.Ordinal);
        var (statusCode, status, _) = await AttachRunner.RunAsync(daemon.SocketPath, "status");
        Assert.Equal(0, statusCode);
        Assert.Contains("failed: cannot reach relay", status, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_OfRelayRole_ShowsSessionsAndRefusesJoin()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var (code, stdout, _) = await AttachRunner.RunAsync(relay.SocketPath, "status");
        Assert.Equal(0, code);
        Assert.Contains($"listening on 127.0.0.1:{port}", stdout, StringComparison.Ordinal);
        var (joinCode, _, stderr) = await AttachRunner.RunAsync(relay.SocketPath, "join", "x");
        Assert.Equal(1, joinCode);
        Assert.Contains("runs as a relay", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Passphrase_GivenAlone_IsReadFromStdin_AndNeverShown()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        await using var daemon = await DaemonProcess.StartParticipantAsync(root, "d", $"127.0.0.1:{port}", "--Audio:Enabled", "false");
        var (empty, _, emptyErr) = await AttachRunner.RunWithInputAsync(daemon.SocketPath, "\n", "join", "x", "--passphrase", "--detach");
        Assert.Equal(2, empty);
        Assert.Contains("passphrase must be 1 to 256 characters", emptyErr, StringComparison.Ordinal);

        var (code, stdout, stderr) = await AttachRunner.RunWithInputAsync(daemon.SocketPath, "open sesame\n", "join", "x", "--passphrase", "--detach");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("sesame", stdout + stderr, StringComparison.Ordinal);
        var (_, status, _) = await AttachRunner.RunAsync(daemon.SocketPath, "status");
        Assert.Contains("passphrase set", status, StringComparison.Ordinal);
        Assert.DoesNotContain("sesame", status + daemon.Output, StringComparison.Ordinal);
        Assert.Contains("Identity   SHA256:", status, StringComparison.Ordinal);
    }
}
