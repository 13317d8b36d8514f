using System.Diagnostics;
using System.Globalization;

namespace S2cd.Benchmarks;

/// <summary>
/// <c>s2cd-bench attach [--runs N] [--aot PATH]</c>: how long <c>s2c-attach status</c>, <c>mute</c> and <c>--version</c>
/// take as whole processes against a running daemon, the NativeAOT build (published here, or PATH) beside the JIT
/// build in the same run, run by run in turn: wall time (from starting the process to its exit) and peak resident
/// memory (GNU time's maximum resident set size).
/// </summary>
internal static class AttachBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 20;
        string? aot = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n is >= 3 and <= 200:
                    runs = n;
                    i++;
                    break;
                case "--aot" when i + 1 < args.Length && File.Exists(args[i + 1]):
                    aot = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: s2cd-bench attach [--runs 3..200] [--aot PATH-TO-NATIVE-s2c-attach]");
                    return 2;
            }
        }

        var repository = Repository();
        var directory = Directory.CreateTempSubdirectory("s2cd-attach-bench").FullName;
        try
        {
            if (aot is null)
            {
                Console.WriteLine("publishing s2c-attach with NativeAOT (about a minute)...");
                var publish = await RunAsync("dotnet", ["publish", Path.Combine(repository, "attach", "S2cAttach.csproj"), "-c", "Release", "-r", "linux-x64", "-o", Path.Combine(directory, "aot"), "--nologo", "-v", "quiet"]).ConfigureAwait(false);
                if (publish != 0)
                {
                    Console.Error.WriteLine("s2cd-bench: the NativeAOT publish failed (clang and zlib1g-dev installed?)");
                    return 1;
                }

                aot = Path.Combine(directory, "aot", "s2c-attach");
            }

            var jit = Path.Combine(repository, "attach", "bin", "Release", "net10.0", "s2c-attach.dll");
            using var daemon = BenchDaemons.Start(directory, "d", ["--listen", "127.0.0.1:0", "--Audio:Enabled", "false"]);
            var socket = BenchDaemons.SocketPath(directory, "d");
            using (await BenchDaemons.ConnectAsync(socket).ConfigureAwait(false))
            {
                // It answers: the processes timed below find it ready.
            }

            Console.WriteLine($"daemon pid {daemon.Id}; {runs} runs of each after 2 not counted, NativeAOT and JIT in turn");
            Console.WriteLine($"{"",-22} {"wall p50",10} {"min",8} {"max",8} {"peak RSS p50",14}");
            foreach (var verb in new[] { "status", "mute", "--version" })
            {
                var native = new List<(double Ms, double Mb)>();
                var managed = new List<(double Ms, double Mb)>();
                for (var run = 0; run < runs + 2; run++)
                {
                    var a = await TimeAsync(aot, [verb], socket).ConfigureAwait(false);
                    var b = await TimeAsync("dotnet", [jit, verb], socket).ConfigureAwait(false);
                    if (run >= 2)
                    {
                        native.Add(a);
                        managed.Add(b);
                    }
                }

                Print($"{verb} (NativeAOT)", native);
                Print($"{verb} (JIT)", managed);
            }

            daemon.Kill();
            await daemon.WaitForExitAsync().ConfigureAwait(false);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Print(string what, List<(double Ms, double Mb)> samples)
    {
        var walls = samples.Select(s => s.Ms).Order().ToArray();
        var peaks = samples.Select(s => s.Mb).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-22} {walls[walls.Length / 2],7:0.0} ms {walls[0],5:0.0} ms {walls[^1],5:0.0} ms {peaks[peaks.Length / 2],11:0.0} MB"));
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

        throw new InvalidOperationException("run s2cd-bench from the repository's build output");
    }
}
