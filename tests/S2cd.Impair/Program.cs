using System.Globalization;
using System.Net;
using S2cd.Impair;

// s2c-impair --to HOST:PORT [--port P] [--loss F] [--burst N] [--delay MS] [--jitter MS] [--duplicate F]
//            [--block-udp] [--tcp-delay MS] [--tcp-jitter MS] [--tcp-stall-chance F] [--tcp-stall MS]
// Forwards TCP and UDP on 127.0.0.1:P to the target until Ctrl-C; prints the port it listens on.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "-h" or "--help")
    {
        Console.WriteLine("s2c-impair --to HOST:PORT [--port P] [--loss F] [--burst N] [--delay MS] [--jitter MS] [--duplicate F] [--block-udp] [--tcp-delay MS] [--tcp-jitter MS] [--tcp-stall-chance F] [--tcp-stall MS]");
        return 0;
    }

    if (args[i] == "--block-udp")
    {
        options["block-udp"] = "1";
    }
    else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        options[args[i][2..]] = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"s2c-impair: unexpected argument '{args[i]}' (see --help)");
        return 2;
    }
}

if (!options.TryGetValue("to", out var to) || !IPEndPoint.TryParse(to, out var target))
{
    Console.Error.WriteLine("s2c-impair: --to HOST:PORT is needed (an IP address)");
    return 2;
}

double Number(string key, double fallback) => options.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

await using var impairer = LinkImpairer.Start(target, (int)Number("port", 0));
impairer.Udp = new UdpImpairment
{
    Loss = Number("loss", 0),
    BurstLength = (int)Number("burst", 1),
    Delay = TimeSpan.FromMilliseconds(Number("delay", 0)),
    Jitter = TimeSpan.FromMilliseconds(Number("jitter", 0)),
    Duplicate = Number("duplicate", 0),
    Blocked = options.ContainsKey("block-udp"),
};
impairer.Tcp = new TcpImpairment
{
    Delay = TimeSpan.FromMilliseconds(Number("tcp-delay", 0)),
    Jitter = TimeSpan.FromMilliseconds(Number("tcp-jitter", 0)),
    StallChance = Number("tcp-stall-chance", 0),
    Stall = TimeSpan.FromMilliseconds(Number("tcp-stall", 200)),
};
Console.WriteLine($"listening on 127.0.0.1:{impairer.Port} (TCP and UDP), forwarding to {target}");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

Console.WriteLine($"forwarded {impairer.UdpForwarded} datagrams, dropped {impairer.UdpDropped}");
return 0;
