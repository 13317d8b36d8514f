using System.Diagnostics;
using System.Text;
using S2cd.Contract;

namespace S2cd.Tests.Support;

/// <summary>
/// A real s2cd process started from the test's output folder, with its own socket and state directory.
/// Its output is collected so that a failing test can show it.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly CancellationTokenRegistration _endWithTest;

    private DaemonProcess(Process process, string socketPath, string directory)
    {
        _process = process;
        _endWithTest = TestProcesses.EndWithTest(process);
        SocketPath = socketPath;
        Directory = directory;
    }

    public string SocketPath { get; }

    public string Directory { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string DaemonPath => Path.Combine(AppContext.BaseDirectory, "s2cd.dll");

    /// <summary>
    /// A native s2cd to run instead of the build's s2cd.dll: S2CD_TEST_DAEMON=/path/to/s2cd (a NativeAOT publish, as
    /// the .deb ships), so the end-to-end tests can be run against the daemon people install.
    /// </summary>
    public static string? NativeDaemon => Environment.GetEnvironmentVariable("S2CD_TEST_DAEMON") is { Length: > 0 } path ? path : null;

    public static string AttachPath => Path.Combine(AppContext.BaseDirectory, "s2c-attach.dll");

    /// <summary>
    /// A native s2c-attach to run instead of the build's s2c-attach.dll: S2CD_TEST_ATTACH=/path/to/s2c-attach (the
    /// NativeAOT publish the .deb ships).
    /// </summary>
    public static string? NativeAttach => Environment.GetEnvironmentVariable("S2CD_TEST_ATTACH") is { Length: > 0 } path ? path : null;

    /// <summary>The command line that starts s2c-attach: the native one, or the build's under dotnet.</summary>
    public static string AttachCommand => NativeAttach ?? $"dotnet {AttachPath}";

    /// <summary>The program and the arguments before s2c-attach's own that start it.</summary>
    public static (string Program, string[] Arguments) AttachProgram => NativeAttach is { } native ? (native, []) : ("dotnet", [AttachPath]);

    /// <summary>
    /// Starts a daemon without waiting for it. Each of <paramref name="hiddenLibraries"/> (a soname such as
    /// libgtk-3.so.0) is hidden from it as if not installed: the daemon runs in a mount namespace of its own
    /// with /dev/null bind-mounted over the library (needs root, as CI has). With <paramref name="jit"/> it is the build's
    /// s2cd.dll under dotnet even where S2CD_TEST_DAEMON names a native one; with <paramref name="program"/>, that native
    /// s2cd (see <see cref="PrivateNativeCopy"/>).
    /// </summary>
    public static DaemonProcess Start(TempDirectory root, string name, IEnumerable<string> args, IDictionary<string, string>? environment = null, IReadOnlyList<string>? hiddenLibraries = null, bool jit = false, string? program = null)
    {
        var native = jit ? null : program ?? NativeDaemon;
        var directory = root.Sub(name);
        var socket = Path.Combine(directory, "s2cd.sock");
        var info = new ProcessStartInfo(hiddenLibraries is { Count: > 0 } ? "unshare" : native ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (hiddenLibraries is { Count: > 0 })
        {
            // unshare and sh exec what follows, so the process started here becomes the daemon itself.
            info.ArgumentList.Add("--mount");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add("sh");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(string.Concat(hiddenLibraries.Select(l => $"mount --bind /dev/null {LibraryPath(l)} && ")) + "exec \"$@\"");
            info.ArgumentList.Add("sh");
            info.ArgumentList.Add(native ?? "dotnet");
        }

        if (native is null)
        {
            info.ArgumentList.Add(DaemonPath);
        }
        info.ArgumentList.Add("--socket");
        info.ArgumentList.Add(socket);
        info.ArgumentList.Add("--state-dir");
        info.ArgumentList.Add(Path.Combine(directory, "state"));
        info.ArgumentList.Add("--Control:Group");
        info.ArgumentList.Add("");
        if (!args.Contains("--config"))
        {
            // A configuration of its own, so that an installed /etc/s2cd/s2cd.json never reaches a test daemon.
            var config = Path.Combine(directory, "s2cd.json");
            if (!File.Exists(config))
            {
                File.WriteAllText(config, "{}\n");
            }

            info.ArgumentList.Add("--config");
            info.ArgumentList.Add(config);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment["HOME"] = directory;
        info.Environment["DOTNET_gcServer"] = "0";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = Process.Start(info)!;
        var daemon = new DaemonProcess(process, socket, directory);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>
    /// A copy of the native s2cd and the libraries beside it in a folder of <paramref name="root"/>'s: a daemon run from
    /// it maps files no other process maps, as the one daemon of a machine does (pages of a file that other processes
    /// map too stay resident in each of them, whatever the daemon asks of the kernel).
    /// </summary>
    public static string PrivateNativeCopy(TempDirectory root)
    {
        var native = NativeDaemon ?? throw new InvalidOperationException("no native daemon: S2CD_TEST_DAEMON is not set");
        var copy = root.Sub("native-copy");
        foreach (var file in System.IO.Directory.GetFiles(Path.GetDirectoryName(native)!).Where(f => f == native || f.EndsWith(".so", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return Path.Combine(copy, Path.GetFileName(native));
    }

    /// <summary>Where the dynamic linker finds <paramref name="soname"/> on this machine.</summary>
    public static string LibraryPath(string soname)
    {
        foreach (var directory in new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib", "/lib" })
        {
            var path = Path.Combine(directory, soname);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{soname} is not installed here, so it cannot be hidden (packaging/packages.sh ensure run)");
    }

    /// <summary>Starts a participant daemon (embedded relay off) and waits until its control socket answers.</summary>
    public static async Task<DaemonProcess> StartParticipantAsync(TempDirectory root, string name, string relay, params string[] extra)
    {
        var daemon = Start(root, name, ["--name", name, "--relay", relay, "--Relay:Embedded", "false", .. extra]);
        await daemon.WaitReadyAsync().ConfigureAwait(false);
        return daemon;
    }

    /// <summary>Starts a relay-role daemon on loopback and waits until it listens; returns it and its port.</summary>
    public static Task<(DaemonProcess Relay, int Port)> StartRelayAsync(TempDirectory root, string name, int port = 0, params string[] extra) =>
        StartRelayAsync(root, name, port, null, extra);

    /// <summary>Starts a relay-role daemon from <paramref name="program"/> (a native s2cd), or the build's when null.</summary>
    public static async Task<(DaemonProcess Relay, int Port)> StartRelayAsync(TempDirectory root, string name, int port, string? program, string[] extra)
    {
        // TestLoad 0 unless a test sets it: a test machine busy with other tests must not make the relay refuse joins.
        var relay = Start(root, name, ["--role", "relay", "--listen", $"127.0.0.1:{port}", "--Relay:TimeoutSeconds", "2", "--Relay:HeartbeatSeconds", "0.5", "--Relay:TestLoad", "0", .. extra], program: program);
        await relay.WaitReadyAsync().ConfigureAwait(false);
        await using var client = await TestControlClient.ConnectAsync(relay.SocketPath).ConfigureAwait(false);
        var status = await client.StatusAsync().ConfigureAwait(false);
        var listen = status.RelayListen ?? throw new InvalidOperationException("relay does not listen");
        return (relay, int.Parse(listen[(listen.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The fingerprint a relay logged at start ("Relay TLS certificate made: SHA256:...").</summary>
    public string LoggedRelayFingerprint()
    {
        var at = Output.IndexOf("SHA256:", StringComparison.Ordinal);
        Assert.True(at >= 0, "the relay logs its certificate's fingerprint");
        var fingerprint = Output.Substring(at, 50);
        Assert.True(S2cd.Security.Fingerprint.IsValid(fingerprint));
        return fingerprint;
    }

    /// <summary>
    /// Waits for the control socket to answer. The benchmark page times READY at about 30 ms (NativeAOT) and 180 ms (JIT) on an
    /// idle machine; the limit here is 30 s, not 5 × that, because the suite starts dozens of daemons at once on two
    /// cores, and this wait only guards a start; what a start costs is measured by <c>s2cd-bench daemon-memory</c>.
    /// </summary>
    public async Task WaitReadyAsync()
    {
        var limit = TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (!CanConnect())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"s2cd exited with {_process.ExitCode}:\n{Output}");
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"s2cd's control socket did not answer within {limit.TotalSeconds:0} s (a guard for a machine busy with the whole suite, not the 30–180 ms a start takes):\n{Output}");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ready means a connect to the control socket succeeds.</summary>
    private bool CanConnect() => UnixSocketProbe.Answers(SocketPath);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Signal(int signal) => _ = Interop.kill(_process.Id, signal);

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        _endWithTest.Dispose();
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
