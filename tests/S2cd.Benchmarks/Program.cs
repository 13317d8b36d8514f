using S2cd.Benchmarks;

return args.FirstOrDefault() switch
{
    "relay-load" => await RelayLoad.RunAsync(args[1..]).ConfigureAwait(false),
    "fabric-load" => await FabricLoad.RunAsync(args[1..]).ConfigureAwait(false),
    "render" => RenderBench.Run(args[1..]),
    "video-delay" => await VideoDelayBench.RunAsync(args[1..]).ConfigureAwait(false),
    "slow-pipe" => await SlowPipeBench.RunAsync(args[1..]).ConfigureAwait(false),
    "audio" => await AudioBench.RunAsync(args[1..]).ConfigureAwait(false),
    "audio-processing" => await AudioBench.ProcessingAsync(args[1..]).ConfigureAwait(false),
    "crypto" => CryptoBench.Run(),
    "impaired" => await ImpairedBench.RunAsync(args[1..]).ConfigureAwait(false),
    "attach" => await AttachBench.RunAsync(args[1..]).ConfigureAwait(false),
    "daemon-memory" => await DaemonMemoryBench.RunAsync(args[1..]).ConfigureAwait(false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: s2cd-bench relay-load [--sessions N] [--participants M] [--seconds S] [--warmup S] [--plain] [--udp] [--max-connections N] [--web] [--poll-metrics PER_SECOND]\n       s2cd-bench fabric-load [--sessions N] [--seconds S] [--warmup S]\n       s2cd-bench render [--picture [FILE]] [--tolerance KEEP,SHARE]\n       s2cd-bench video-delay [--seconds S] [--no-e2e]\n       s2cd-bench slow-pipe [--rate BYTES_PER_SECOND] [--picture [FILE]] [--still]\n       s2cd-bench audio [--seconds S] [--no-e2e]\n       s2cd-bench audio-processing [--runs N] [--seconds S]\n       s2cd-bench crypto\n       s2cd-bench impaired [--seconds S]\n       s2cd-bench attach [--runs N] [--aot PATH]\n       s2cd-bench daemon-memory [--daemon PATH] [--cycles N]");
    return 2;
}
