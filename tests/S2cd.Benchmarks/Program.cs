using S2cd.Benchmarks;

return args.FirstOrDefault() switch
{
    "relay-load" => await RelayLoad.RunAsync(args[1..]).ConfigureAwait(false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: s2cd-bench relay-load [--sessions N] [--participants M] [--seconds S] [--warmup S]");
    return 2;
}
