using S2cd.Benchmarks;
using S2cd.Benchmarks.Harness;

try
{
    return args.FirstOrDefault() switch
    {
        "relay-load" => await RelayLoad.RunAsync(args[1..]).ConfigureAwait(false),
        "fabric-load" => await FabricLoad.RunAsync(args[1..]).ConfigureAwait(false),
        "render" => await RenderBench.RunAsync(args[1..]).ConfigureAwait(false),
        "video-delay" => await VideoDelayBench.RunAsync(args[1..]).ConfigureAwait(false),
        "slow-pipe" => await SlowPipeBench.RunAsync(args[1..]).ConfigureAwait(false),
        "audio" => await AudioBench.RunAsync(args[1..]).ConfigureAwait(false),
        "audio-processing" => await AudioProcessingBench.ProcessingAsync(args[1..]).ConfigureAwait(false),
        "crypto" => await CryptoBench.RunAsync(args[1..]).ConfigureAwait(false),
        "impaired" => await ImpairedBench.RunAsync(args[1..]).ConfigureAwait(false),
        "attach" => await AttachBench.RunAsync(args[1..]).ConfigureAwait(false),
        "share" => await ShareBench.RunAsync(args[1..]).ConfigureAwait(false),
        "daemon-memory" => await DaemonMemoryBench.RunAsync(args[1..]).ConfigureAwait(false),
        "all" => await AllBenchmarks.RunAsync(args[1..]).ConfigureAwait(false),
        _ => Usage(),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"s2cd-bench: {ex.Message}");
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: s2cd-bench BENCHMARK [--runs N] [--markdown] [OPTIONS]
          Every benchmark runs N rounds (default 3) and prints each figure as min–max over them, under a line with the
          date, the commit and the core count; --markdown prints Markdown tables (those of packaging/doc/benchmarks.md). A benchmark that
          measured nothing (no sound carried, no picture, nothing forwarded, a generator short of its load) says so
          and exits 3.

          relay-load [--sessions N] [--participants M] [--seconds S] [--warmup S] [--plain] [--udp] [--max-connections N] [--web] [--poll-metrics PER_SECOND]
          fabric-load [--sessions N] [--seconds S] [--warmup S]
          render [--picture [FILE] [--tolerance KEEP,SHARE]]
          video-delay [--seconds S] [--mode MODE]
          slow-pipe [--rate BYTES_PER_SECOND] [--picture [FILE]] [--still] [--mode MODE]
          audio [--seconds S]
          audio-processing [--seconds S]
          crypto
          impaired [--seconds S]
          attach [--samples N] [--aot PATH]
          share [--seconds S]
          daemon-memory [--daemon PATH] [--cycles N]
          all [--runs N] [--markdown] [--daemon PATH] [--aot PATH]   the set packaging/doc/benchmarks.md quotes
        """);
    return 2;
}
