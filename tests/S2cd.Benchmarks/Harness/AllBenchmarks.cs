namespace S2cd.Benchmarks.Harness;

/// <summary>
/// <c>s2cd-bench all [--runs N] [--markdown]</c>: the benchmarks packaging/doc/benchmarks.md quotes, one after another, each with its
/// own rounds and its own first line; with --markdown the output is that page's tables. Exits non-zero when any of
/// them did (the others still run).
/// </summary>
internal static class AllBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var common = new List<string> { "--runs", BenchArgs.Int(args, "--runs", 3, 1, 100).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (BenchArgs.Flag(args, "--markdown"))
        {
            common.Add("--markdown");
        }

        var daemon = BenchArgs.Text(args, "--daemon");
        var aot = BenchArgs.Text(args, "--aot");
        var set = new List<(string Name, string[] Args, Func<string[], Task<int>> Run)>
        {
            ("relay-load", ["--sessions", "100", "--participants", "4", "--seconds", "20"], RelayLoad.RunAsync),
            ("relay-load", ["--sessions", "100", "--participants", "4", "--seconds", "20", "--plain"], RelayLoad.RunAsync),
            ("relay-load", ["--sessions", "100", "--participants", "4", "--seconds", "20", "--udp"], RelayLoad.RunAsync),
            ("relay-load", ["--sessions", "1", "--participants", "4", "--seconds", "10"], RelayLoad.RunAsync),
            ("relay-load", ["--sessions", "100", "--participants", "4", "--seconds", "20", "--poll-metrics", "20"], RelayLoad.RunAsync),
            ("fabric-load", ["--sessions", "50", "--seconds", "15"], FabricLoad.RunAsync),
            ("impaired", ["--seconds", "20"], ImpairedBench.RunAsync),
            ("render", [], RenderBench.RunAsync),
            ("slow-pipe", [], SlowPipeBench.RunAsync),
            ("slow-pipe", ["--mode", "ascii"], SlowPipeBench.RunAsync),
            ("video-delay", ["--seconds", "15"], VideoDelayBench.RunAsync),
            ("crypto", [], CryptoBench.RunAsync),
            ("audio", ["--seconds", "15"], AudioBench.RunAsync),
            ("audio-processing", ["--seconds", "10"], AudioProcessingBench.ProcessingAsync),
            ("attach", aot is null ? [] : ["--aot", aot], AttachBench.RunAsync),
            ("daemon-memory", ["--cycles", "200"], DaemonMemoryBench.RunAsync),
        };
        if (File.Exists(NaturalPicture.Astronaut))
        {
            set.Insert(8, ("render", ["--picture"], RenderBench.RunAsync));
            set.Insert(10, ("slow-pipe", ["--picture"], SlowPipeBench.RunAsync));
        }
        else
        {
            Console.Error.WriteLine($"s2cd-bench all: {NaturalPicture.Astronaut} is not here (apt install python3-skimage): the photograph's figures are left out");
        }

        if (daemon is not null)
        {
            set.Add(("daemon-memory", ["--cycles", "200", "--daemon", daemon], DaemonMemoryBench.RunAsync));
        }

        var failed = new List<string>();
        foreach (var (name, benchmarkArgs, run) in set)
        {
            int code;
            try
            {
                code = await run([.. benchmarkArgs, .. common]).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // One benchmark's usage problem (a missing file, say) ends that one, not the set.
                Console.Error.WriteLine($"s2cd-bench {name}: {ex.Message}");
                code = 2;
            }

            Console.WriteLine();
            if (code != 0)
            {
                failed.Add($"{name} {string.Join(' ', benchmarkArgs)} (exit {code})");
            }
        }

        if (failed.Count > 0)
        {
            Console.Error.WriteLine($"s2cd-bench all: {failed.Count} of {set.Count} did not give figures: {string.Join("; ", failed)}");
            return 1;
        }

        return 0;
    }
}
