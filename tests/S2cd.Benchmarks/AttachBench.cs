using System.Diagnostics;
using System.Globalization;

using S2cd.Benchmarks.Harness;

namespace S2cd.Benchmarks;

/// <summary>
/// <c>s2cd-bench attach [--runs N] [--aot PATH]</c>: how long <c>s2c-attach status</c>, <c>mute</c> and <c>--version</c>
/// take as whole processes against a running daemon, the NativeAOT build (published here, or PATH) beside the JIT
/// build in the same run, run by run in turn: wall time (from starting the process to its exit) and peak resident
/// memory (GNU time's maximum resident set size).
/// </summary>
internal static class AttachBench
{
    private const string Table = "s2c-attach as whole processes against a running daemon (wall time from start to exit; peak resident memory from GNU time)";

    public static async Task<int> RunAsync(string[] args)
    {
        var samples = BenchArgs.Int(args, "--samples", 20, 3, 200);
        var aot = BenchArgs.Text(args, "--aot");
        if (aot is not null && !File.Exists(aot))
        {
            throw new ArgumentException($"--aot {aot}: no such file");
        }

        var directory = Directory.CreateTempSubdirectory("s2cd-attach-bench").FullName;
        try
        {
            if (aot is null)
            {
                Console.Error.WriteLine("publishing s2c-attach with NativeAOT (about a minute)...");
                var publish = await RunAsync("dotnet", ["publish", Path.Combine(Repository(), "attach", "S2cAttach.csproj"), "-c", "Release", "-r", "linux-x64", "-o", Path.Combine(directory, "aot"), "--nologo", "-v", "quiet"]).ConfigureAwait(false);
                if (publish != 0)
                {
                    Console.Error.WriteLine("s2cd-bench: the NativeAOT publish failed (clang and zlib1g-dev installed?)");
                    return 1;
                }

                aot = Path.Combine(directory, "aot", "s2c-attach");
            }

            // The JIT build: the s2c-attach.dll built beside this benchmark (it references the client's project).
            var jit = Path.Combine(AppContext.BaseDirectory, "s2c-attach.dll");
            return await BenchRun.RunAsync("attach", args, async (figures, _) =>
            {
                figures.Note(Table, $"{samples} counted runs of each verb a round after 2 not counted, NativeAOT and JIT in turn. Targets: status and mute ≤ 30 ms and ≤ 15 MB, --version ≤ 10 ms (NativeAOT).");
                using var daemon = BenchDaemons.Start(directory, "d", ["--listen", "127.0.0.1:0", "--Audio:Enabled", "false"]);
                var socket = BenchDaemons.SocketPath(directory, "d");
                using (await BenchDaemons.ConnectAsync(socket).ConfigureAwait(false))
                {
                    // It answers: the processes timed below find it ready.
                }

                Console.WriteLine($"daemon pid {daemon.Id}; {samples} runs of each after 2 not counted, NativeAOT and JIT in turn");
                try
                {
                    foreach (var verb in new[] { "status", "mute", "--version" })
                    {
                        var native = new List<(double Ms, double Mb)>();
                        var managed = new List<(double Ms, double Mb)>();
                        for (var run = 0; run < samples + 2; run++)
                        {
                            var a = await TimeAsync(aot, [verb], socket).ConfigureAwait(false);
                            var b = await TimeAsync("dotnet", [jit, verb], socket).ConfigureAwait(false);
                            if (run >= 2)
                            {
                                native.Add(a);
                                managed.Add(b);
                            }
                        }

                        Report(figures, $"`{verb}`", "NativeAOT", native);
                        Report(figures, $"`{verb}`", "JIT", managed);
                    }
                }
                finally
                {
                    daemon.Kill();
                    await daemon.WaitForExitAsync().ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Report(Figures figures, string verb, string build, List<(double Ms, double Mb)> samples)
    {
        var walls = samples.Select(s => s.Ms).Order().ToArray();
        var peaks = samples.Select(s => s.Mb).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{verb} ({build}): p50 {walls[walls.Length / 2]:0.0} ms ({walls[0]:0.0}–{walls[^1]:0.0}), peak RSS p50 {peaks[peaks.Length / 2]:0.0} MB"));
        figures.Add(Table, verb, $"{build} wall p50", walls[walls.Length / 2], "0.0", "ms");
        figures.Add(Table, verb, $"{build} peak RSS p50", peaks[peaks.Length / 2], "0.0", "MB");
    }

    /// <summary>One whole process under GNU time: its wall time here, its peak resident memory from time.</summary>
    private static async Task<(double Ms, double Mb)> TimeAsync(string program, string[] args, string socket)
    {
        var info = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-f", "%M", program }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["S2CD_SOCKET"] = socket;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        var ms = clock.Elapsed.TotalMilliseconds;
        await output.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new NothingMeasuredException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {error.Trim()}");
        }

        var kilobytes = double.Parse(error.TrimEnd().Split('\n')[^1], CultureInfo.InvariantCulture);
        return (ms, kilobytes / 1024);
    }

    private static async Task<int> RunAsync(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    private static string Repository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "s2cd.sln")))
            {
                return directory.FullName;
            }
        }

        throw new ArgumentException("without --aot PATH, attach publishes s2c-attach itself and needs the repository: run s2cd-bench from its build output (tests/S2cd.Benchmarks/bin/Release/net10.0)");
    }
}
