using System.Diagnostics;
using System.Globalization;

using S2cd.Benchmarks.Harness;

namespace S2cd.Benchmarks;

/// <summary>
/// The view through a slow pipe, as over a thin SSH link: two daemons in a call, s2c-attach writing the
/// other's picture into a pipe that this process drains at 64 KB/s (what `| pv -q -L 64k` does). Each frame's
/// end (the synchronized-update end marker) is matched with s2c-attach's trace of that frame, and its age when
/// it comes out of the pipe is reported.
/// </summary>
internal static class SlowPipeBench
{
    private static readonly byte[] FrameEnd = "\u001b[?2026l"u8.ToArray();

    private const string Table = "The view through a slow pipe (s2c-attach's output drained at a fixed rate)";

    public static Task<int> RunAsync(string[] args)
    {
        var rate = BenchArgs.Int(args, "--rate", 64 * 1024, 1024, 1_000_000_000);
        var mode = BenchArgs.Text(args, "--mode") ?? "blocks";
        return BenchRun.RunAsync("slow-pipe", args, (figures, _) => RoundAsync(figures, args, rate, mode));
    }

    private static async Task RoundAsync(Figures figures, string[] args, int rate, string mode)
    {
        var directory = Directory.CreateTempSubdirectory("s2cd-bench-pipe").FullName;
        var processes = new List<Process>();
        var (cols, rows) = (120, 40);
        string[] camera = [];
        if (Array.IndexOf(args, "--picture") is var p and >= 0)
        {
            // The photograph panning slowly, as a camera file alice's daemon loops.
            var path = p + 1 < args.Length && !args[p + 1].StartsWith("--", StringComparison.Ordinal) ? args[p + 1] : NaturalPicture.Astronaut;
            if (!NaturalPicture.WritePan(path, Path.Combine(directory, "pan.avi"), still: args.Contains("--still"), out var problem))
            {
                Directory.Delete(directory, recursive: true);
                throw new NothingMeasuredException(problem ?? "the photograph could not be written as a video");
            }

            camera = ["--Video:Camera", Path.Combine(directory, "pan.avi")];
            (cols, rows) = (125, 48);
        }

        try
        {
            var a = BenchDaemons.Start(directory, "a", ["--name", "alice", "--listen", "127.0.0.1:0", .. camera], keepStdout: true);
            processes.Add(a);
            var relay = await BenchDaemons.ReadRelayListenAsync(a).ConfigureAwait(false);
            processes.Add(BenchDaemons.Start(directory, "b", ["--name", "bob", "--Relay:Embedded", "false", "--relay", relay]));
            await Task.Delay(2000).ConfigureAwait(false);
            foreach (var socket in new[] { "a", "b" })
            {
                using var join = Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "s2c-attach.dll"), "--socket", $"{directory}/{socket}.sock", "join", "pipe", "--relay", relay, "--detach"]);
                await join.WaitForExitAsync().ConfigureAwait(false);
            }

            var attach = Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "s2c-attach.dll"), "--socket", $"{directory}/b.sock", "--mode", mode, "--hide-self"], trace: (cols, rows));
            processes.Add(attach);
            var traces = new List<(long Captured, long Written)>();
            var traceTask = Task.Run(async () =>
            {
                while (await attach.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 6 && parts[0] == "frame")
                    {
                        lock (traces)
                        {
                            traces.Add((long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[5], CultureInfo.InvariantCulture)));
                        }
                    }
                }
            });

            var ages = new List<double>();
            var stdout = attach.StandardOutput.BaseStream;
            var buffer = new byte[1024];
            var clock = Stopwatch.StartNew();
            long read = 0;
            var frameIndex = 0;
            var matched = 0;
            long frameStart = 0;
            var frameBytes = new List<long>();
            while (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                // Drain at the rate given: never ahead of rate × elapsed time.
                var allowed = (long)(clock.Elapsed.TotalSeconds * rate) - read;
                if (allowed < buffer.Length)
                {
                    await Task.Delay(5).ConfigureAwait(false);
                    continue;
                }

                var n = await stdout.ReadAsync(buffer).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
                var now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
                for (var i = 0; i < n; i++)
                {
                    if (buffer[i] == FrameEnd[matched])
                    {
                        if (++matched == FrameEnd.Length)
                        {
                            matched = 0;
                            (long Captured, long Written) trace;
                            lock (traces)
                            {
                                trace = frameIndex < traces.Count ? traces[frameIndex] : default;
                            }

                            frameIndex++;
                            var end = read - n + i + 1;
                            if (clock.Elapsed > TimeSpan.FromSeconds(3))
                            {
                                frameBytes.Add(end - frameStart);
                            }

                            frameStart = end;
                            if (trace.Captured > 0 && clock.Elapsed > TimeSpan.FromSeconds(3))
                            {
                                ages.Add((now - trace.Captured) / 1000.0);
                            }
                        }
                    }
                    else
                    {
                        matched = buffer[i] == FrameEnd[0] ? 1 : 0;
                    }
                }
            }

            ages.Sort();
            frameBytes.Sort();
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"view ({mode}, {cols}x{rows}{(camera.Length > 0 ? (args.Contains("--still") ? ", the photograph still" : ", the photograph panning") : ", test pattern")}) through a pipe drained at {rate / 1024} KB/s for {clock.Elapsed.TotalSeconds:0} s: {frameIndex} frames, {frameIndex / clock.Elapsed.TotalSeconds:0.0} frames/s"));
            Console.WriteLine(string.Create(inv, $"age of the picture when its frame leaves the pipe: p50 {Pct(ages, 0.5):0} ms  p99 {Pct(ages, 0.99):0} ms  max {Pct(ages, 1):0} ms"));
            var sizes = frameBytes.Select(b => (double)b).ToList();
            Console.WriteLine(string.Create(inv, $"bytes per frame after 3 s: p50 {Pct(sizes, 0.5):0}  p90 {Pct(sizes, 0.9):0}  max {Pct(sizes, 1):0}; frames over 20 KB: {frameBytes.Count(b => b > 20 * 1024)}"));
            if (frameIndex == 0 || ages.Count == 0)
            {
                throw new NothingMeasuredException($"no frame left the pipe in {clock.Elapsed.TotalSeconds:0} s");
            }

            var row = $"{(camera.Length > 0 ? (args.Contains("--still") ? "photograph still" : "photograph panning") : "test pattern")}, `{mode}` {cols}×{rows}, {rate / 1024} KB/s";
            figures.Add(Table, row, "frames/s", frameIndex / clock.Elapsed.TotalSeconds, "0.0");
            figures.Add(Table, row, "age leaving the pipe p50", Pct(ages, 0.5), "0", "ms");
            figures.Add(Table, row, "p99", Pct(ages, 0.99), "0", "ms");
            figures.Add(Table, row, "max", Pct(ages, 1), "0", "ms");
            figures.Add(Table, row, "bytes per frame p50", Pct(sizes, 0.5) / 1024, "0.0", "KB");
            figures.Add(Table, row, "bytes per frame max", Pct(sizes, 1) / 1024, "0.0", "KB");
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Pct(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

    private static Process Start(string file, string[] args, (int Cols, int Rows)? trace = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (trace is { } size)
        {
            info.Environment["S2C_ATTACH_TRACE"] = "1";
            info.Environment["COLUMNS"] = size.Cols.ToString(CultureInfo.InvariantCulture);
            info.Environment["LINES"] = size.Rows.ToString(CultureInfo.InvariantCulture);
        }

        var process = Process.Start(info)!;
        if (trace is null)
        {
            _ = process.StandardError.ReadToEndAsync();
        }

        return process;
    }

}
