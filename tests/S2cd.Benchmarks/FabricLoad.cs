using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using NATS.Client.Core;
using S2cd.Benchmarks.Harness;
using S2cd.Tests.Support;

namespace S2cd.Benchmarks;

/// <summary>
/// The relay-load traffic (15 frames/s of 4 KB video and 50 packets/s of 80 bytes audio per participant) in three
/// ways, in one run: each session's members split 2 + 2 over two relays joined by a 2-node NATS cluster on this
/// machine; the same through one relay alone; and through nats-server alone (synthetic participants publishing
/// and subscribing directly, no relay), the anchor for the engine's own cost per message.
/// </summary>
internal static class FabricLoad
{
    private const int VideoBytes = 4096;
    private const int AudioBytes = 80;

    private const string Table = "Relays on a NATS cluster: the relay-load traffic, 4 members a session, TLS to the relays";

    public static Task<int> RunAsync(string[] args)
    {
        var sessions = BenchArgs.Int(args, "--sessions", 50, 1, 2000);
        var seconds = BenchArgs.Int(args, "--seconds", 15, 1, 3600);
        var warmup = BenchArgs.Int(args, "--warmup", 3, 0, 600);
        if (!File.Exists(NatsCluster.Binary))
        {
            Console.Error.WriteLine("s2cd-bench: nats-server is not installed (apt install nats-server)");
            return Task.FromResult(1);
        }

        return BenchRun.RunAsync("fabric-load", args, async (figures, _) =>
        {
            figures.Note(Table, $"{sessions} sessions × 4, {seconds} s measured after {warmup} s of warm-up. Two relays: each session's members split 2 + 2 over two relays joined by a 2-node NATS cluster. nats-server alone: synthetic participants publishing and subscribing directly on eight connections, no relay (the engine's own cost).");
            Console.WriteLine("== two relays, each session's members 2 + 2, joined by a 2-node NATS cluster");
            await using (var cluster = await NatsCluster.StartAsync(nodes: 2).ConfigureAwait(false))
            {
                var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                var directory = Directory.CreateTempSubdirectory("s2cd-bench-fabric").FullName;
                using var a = StartRelay(directory, "a", cluster.Url(0), key);
                using var b = StartRelay(directory, "b", cluster.Url(1), key);
                using var onSignalA = RelayLoad.KillOnSignal(a);
                using var onSignalB = RelayLoad.KillOnSignal(b);
                try
                {
                    var nats = cluster.ProcessIds.Select((pid, i) => ($"nats-server {i}", pid)).ToList();
                    var split = await RelayLoad.MeasureAsync([a, b], nats, sessions, 4, seconds, warmup, tls: true, udp: false).ConfigureAwait(false);
                    foreach (var name in new[] { "a", "b" })
                    {
                        using var rpc = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, name)).ConfigureAwait(false);
                        var status = await rpc.InvokeAsync<S2cd.Contract.StatusResult>(S2cd.Contract.ControlProtocol.Methods.Status).ConfigureAwait(false);
                        Console.WriteLine($"relay {name} fabric {status.RelayFabric}: {status.RelayFabricPublished} published, {status.RelayFabricReceived} received, {status.RelayFabricRejected} rejected, {status.RelayFabricDropped} dropped for a slow subscriber");
                        if (status.RelayFabricReceived == 0)
                        {
                            throw new NothingMeasuredException($"relay {name} received nothing over the fabric");
                        }
                    }

                    split.MeasuredOrThrow("two relays").Report(figures, Table, "two relays + 2 NATS nodes", combined: true);
                }
                finally
                {
                    RelayLoad.Kill(a);
                    RelayLoad.Kill(b);
                    Directory.Delete(directory, recursive: true);
                }
            }

            Console.WriteLine("== one relay alone");
            var alone = Directory.CreateTempSubdirectory("s2cd-bench-fabric").FullName;
            using (var relay = BenchDaemons.Start(alone, "relay", ["--role", "relay", "--listen", "127.0.0.1:0", "--Relay:MaxSessions", "10000", "--Relay:MaxConnections", "10000"], keepStdout: true))
            using (RelayLoad.KillOnSignal(relay))
            {
                try
                {
                    var one = await RelayLoad.MeasureAsync([relay], [], sessions, 4, seconds, warmup, tls: true, udp: false).ConfigureAwait(false);
                    one.MeasuredOrThrow("one relay").Report(figures, Table, "one relay", combined: true);
                }
                finally
                {
                    RelayLoad.Kill(relay);
                    Directory.Delete(alone, recursive: true);
                }
            }

            Console.WriteLine("== nats-server alone (one node), participants publishing and subscribing directly");
            await using (var single = await NatsCluster.StartAsync(nodes: 1).ConfigureAwait(false))
            {
                var (forwarded, all, cpuPercent, perMessage) = await NatsAloneAsync(single, sessions, seconds, warmup).ConfigureAwait(false);
                if (all.Length == 0)
                {
                    throw new NothingMeasuredException("nats-server alone delivered nothing");
                }

                figures.Add(Table, "nats-server alone", "forwarded msg/s", forwarded, "N0");
                figures.Add(Table, "nats-server alone", "delay p50", RelayLoadResult.Quantile(all, 0.5), "0.00", "ms");
                figures.Add(Table, "nats-server alone", "delay p99", RelayLoadResult.Quantile(all, 0.99), "0.00", "ms");
                figures.Add(Table, "nats-server alone", "all together µs per message", perMessage, "0.0");
                figures.Add(Table, "nats-server alone", "all together CPU (one core)", cpuPercent, "0", "%");
            }
        });
    }

    private static Process StartRelay(string directory, string name, string url, string key) => BenchDaemons.Start(
        directory,
        name,
        ["--role", "relay", "--listen", "127.0.0.1:0", "--Relay:MaxSessions", "10000", "--Relay:MaxConnections", "10000", "--fabric", url,
            "--Relay:FabricUser", NatsCluster.User, "--Relay:FabricPassword", NatsCluster.Password, "--Relay:FabricKey", key],
        keepStdout: true);

    /// <summary>
    /// Four participants a session on eight shared NATS connections, each publishing its frames (send time, sender,
    /// sequence in front) to its session's subject and reading everyone else's from it.
    /// </summary>
    private static async Task<(double Forwarded, long[] Delays, double CpuPercent, double MicrosecondsPerMessage)> NatsAloneAsync(NatsCluster cluster, int sessions, int seconds, int warmup)
    {
        var connections = new List<NatsConnection>();
        for (var i = 0; i < 8; i++)
        {
            var connection = new NatsConnection(NatsOpts.Default with
            {
                Url = cluster.Url(0),
                AuthOpts = NatsAuthOpts.Default with { Username = NatsCluster.User, Password = NatsCluster.Password },
                SubPendingChannelFullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest,
            });
            await connection.ConnectAsync().ConfigureAwait(false);
            connections.Add(connection);
        }

        var delays = new List<long>[sessions * 4];
        var measuring = false;
        using var stop = new CancellationTokenSource();
        var readers = new List<Task>();
        for (var p = 0; p < sessions * 4; p++)
        {
            var me = p;
            delays[me] = new List<long>(100_000);
            var connection = connections[p % connections.Count];
            readers.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var message in connection.SubscribeAsync<byte[]>($"load.{me / 4}", cancellationToken: stop.Token).ConfigureAwait(false))
                    {
                        var data = message.Data!;
                        if (BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(8)) != me && Volatile.Read(ref measuring))
                        {
                            delays[me].Add(Stopwatch.GetTimestamp() - BinaryPrimitives.ReadInt64LittleEndian(data));
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }

        await Task.Delay(1000).ConfigureAwait(false);
        var sending = Task.Run(async () =>
        {
            var video = new byte[VideoBytes];
            var audio = new byte[AudioBytes];
            var clock = Stopwatch.StartNew();
            for (var tick = 0L; !stop.IsCancellationRequested; tick++)
            {
                // Audio every tick (50/s), video on 15 ticks of 50, as relay-load sends.
                var videoTick = tick * 15 / 50 != (tick - 1) * 15 / 50;
                for (var p = 0; p < sessions * 4; p++)
                {
                    foreach (var payload in videoTick ? [audio, video] : new[] { audio })
                    {
                        BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
                        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), p);
                        await connections[p % connections.Count].PublishAsync($"load.{p / 4}", payload).ConfigureAwait(false);
                    }
                }

                var wait = TimeSpan.FromMilliseconds(20 * (tick + 1)) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait).ConfigureAwait(false);
                }
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(warmup)).ConfigureAwait(false);
        var pids = cluster.ProcessIds.ToArray();
        var before = pids.Select(ProcessStats.CpuTime).ToArray();
        Volatile.Write(ref measuring, true);
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        Volatile.Write(ref measuring, false);
        var elapsed = window.Elapsed;
        var cpu = pids.Select((pid, i) => ProcessStats.CpuTime(pid) - before[i]).Aggregate(TimeSpan.Zero, (sum, c) => sum + c);
        await stop.CancelAsync().ConfigureAwait(false);
        await sending.ConfigureAwait(false);
        await Task.WhenAll(readers).ConfigureAwait(false);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        long[] all;
        lock (delays)
        {
            all = [.. delays.SelectMany(d => d)];
        }

        Array.Sort(all);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"forwarded     {all.Length / elapsed.TotalSeconds:N0} messages/s ({sessions} sessions x 4, each sending 15 x 4 KB and 50 x 80 B a second)"));
        Console.WriteLine(string.Create(inv, $"delay all     p50 {RelayLoad.Ms(all, 0.50)} ms  p99 {RelayLoad.Ms(all, 0.99)} ms  max {RelayLoad.Ms(all, 1)} ms"));
        Console.WriteLine(string.Create(inv, $"nats-server   cpu {cpu.TotalSeconds / elapsed.TotalSeconds * 100:0.0}% of one core, {cpu.TotalMicroseconds / Math.Max(1, all.Length):0.0} µs per forwarded message"));
        return (all.Length / elapsed.TotalSeconds, all, cpu.TotalSeconds / elapsed.TotalSeconds * 100, cpu.TotalMicroseconds / Math.Max(1, all.Length));
    }
}
