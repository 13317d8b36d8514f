using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using S2cd.Contract;
using StreamJsonRpc;

using S2cd.Benchmarks.Harness;

using S2cd.Tests.Support;

namespace S2cd.Benchmarks;

/// <summary>
/// <c>s2cd-bench daemon-memory [--daemon PATH] [--cycles N]</c>: what the resident daemon costs. READY (sd_notify's
/// READY=1 on a NOTIFY_SOCKET of the benchmark's) after a start with an existing identity, five starts; resident
/// memory idle (not in a session, embedded relay on); in a 4-person call with a view open and drawing; after leaving,
/// every second for 30 s; and across N join/leave cycles, resident memory, open files and threads. PATH is a native
/// s2cd (a NativeAOT publish, as the .deb ships); without it, the build's s2cd.dll under dotnet.
/// </summary>
internal static class DaemonMemoryBench
{
    public static Task<int> RunAsync(string[] args)
    {
        var native = BenchArgs.Text(args, "--daemon");
        if (native is not null && !File.Exists(native))
        {
            throw new ArgumentException($"--daemon {native}: no such file");
        }

        var cycles = BenchArgs.Int(args, "--cycles", 1000, 4, 100_000);
        var table = $"The resident daemon: {native ?? "dotnet s2cd.dll (JIT)"}";
        return BenchRun.RunAsync("daemon-memory", args, (figures, _) => RoundAsync(figures, table, native, cycles));
    }

    private static async Task RoundAsync(Figures figures, string table, string? native, int cycles)
    {
        const string Measured = "measured";
        figures.Note(table, $"READY: median of 5 starts with an existing identity. Idle: peak over 5 s, embedded relay on, not in a session. In a call: peak over 10 s, 4 people, a 160×48 blocks view drawing. Soak: {cycles} join/leave cycles, each sample 5 s after a leave. Targets: READY ≤ 300 ms, idle ≤ 40 MB, in a call ≤ 100 MB, back within 10 MB of idle within 30 s, no growth.");
        var directory = Directory.CreateTempSubdirectory("s2cd-memory-bench").FullName;
        var others = new List<Process>();
        Process? daemon = null;
        try
        {
            Console.WriteLine($"daemon: {native ?? "dotnet s2cd.dll (JIT)"}");

            // The identity is made on the first start; READY is measured on the starts after it.
            (await StartAsync(native, directory, "a")).Process.Kill();
            var ready = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                daemon?.Kill();
                daemon?.WaitForExit();
                var started = await StartAsync(native, directory, "a");
                daemon = started.Process;
                ready.Add(started.Ready.TotalMilliseconds);
            }

            ready.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY          {ready[2]:0} ms median of 5 starts with an existing identity ({ready[0]:0}-{ready[^1]:0})"));
            figures.Add(table, "READY after start", Measured, ready[2], "0", "ms");

            await Task.Delay(5000).ConfigureAwait(false);
            var idle = await ProcessStats.PeakResidentAsync(daemon!.Id, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle           {Mb(idle):0.0} MB resident (peak over 5 s, not in a session, embedded relay on); {Files(daemon.Id)} open files, {Threads(daemon.Id)} threads"));
            figures.Add(table, "idle", Measured, Mb(idle), "0.0", "MB");
            Parts(figures, table, "idle", daemon.Id);
            figures.Add(table, "idle: open files", Measured, Files(daemon.Id), "0");
            figures.Add(table, "idle: threads", Measured, Threads(daemon.Id), "0");

            using var rpc = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, "a")).ConfigureAwait(false);
            var control = rpc.Attach<IControlService>();
            var relay = (await control.StatusAsync().ConfigureAwait(false)).RelayListen!;
            foreach (var name in new[] { "b", "c", "d" })
            {
                var other = BenchDaemons.Start(directory, name, ["--name", name, "--Audio:Enabled", "false", "--Relay:Embedded", "false"]);
                others.Add(other);
                using var client = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, name)).ConfigureAwait(false);
                await client.Attach<IControlService>().JoinAsync(new JoinRequest { Session = "memory", Relay = relay }).ConfigureAwait(false);
            }

            await control.JoinAsync(new JoinRequest { Session = "memory", Relay = relay }).ConfigureAwait(false);
            var view = await control.ViewOpenAsync(new ViewRequest { Columns = 160, Rows = 48, Mode = "blocks" }).ConfigureAwait(false);
            using var drawing = new CancellationTokenSource();
            var frames = 0;
            var draw = Task.Run(async () =>
            {
                long version = 0;
                while (!drawing.IsCancellationRequested)
                {
                    version = (await control.ViewNextAsync(view, version, 500).ConfigureAwait(false)).Version;
                    frames++;
                }
            });
            await Task.Delay(3000).ConfigureAwait(false);
            var call = await ProcessStats.PeakResidentAsync(daemon.Id, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            var people = (await control.ParticipantsAsync().ConfigureAwait(false)).Length;
            await drawing.CancelAsync().ConfigureAwait(false);
            await draw.ConfigureAwait(false);
            await control.ViewCloseAsync(view).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in a call      {Mb(call):0.0} MB resident (peak over 10 s, {people} people, a 160x48 view drawing, {frames} frames)"));
            if (people < 4 || frames < 10)
            {
                throw new NothingMeasuredException($"the call had {people} people and the view drew {frames} frames in 10 s");
            }

            figures.Add(table, "in a 4-person call, view open", Measured, Mb(call), "0.0", "MB");
            Parts(figures, table, "in the call", daemon.Id);

            await control.LeaveAsync().ConfigureAwait(false);
            var after = new List<long>();
            for (var second = 1; second <= 30; second++)
            {
                await Task.Delay(1000).ConfigureAwait(false);
                after.Add(ProcessStats.ResidentBytes(daemon.Id));
            }

            var back = after.FindIndex(r => r - idle <= 10 * 1024 * 1024);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after leaving  {Mb(after[^1]):0.0} MB at 30 s; within 10 MB of idle {(back < 0 ? "not within 30 s" : $"after {back + 1} s")}"));
            figures.Add(table, "after leaving: at 30 s", Measured, Mb(after[^1]), "0.0", "MB");
            Parts(figures, table, "after leaving, at 30 s", daemon.Id);
            figures.Add(table, "after leaving: seconds until within 10 MB of idle (31: not within 30 s)", Measured, back < 0 ? 31 : back + 1, "0", "s");

            // Join and leave again and again (alone, on its own relay): resident memory, files and threads must not
            // grow. Each sample is taken 5 s after a leave, when the daemon has given back what the call used.
            var samples = new List<(int Cycle, long Rss, int Files, int Threads)> { (0, ProcessStats.ResidentBytes(daemon.Id), Files(daemon.Id), Threads(daemon.Id)) };
            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                await control.JoinAsync(new JoinRequest { Session = "soak", Relay = relay }).ConfigureAwait(false);
                await control.LeaveAsync().ConfigureAwait(false);
                if (cycle % (cycles / 4) == 0)
                {
                    // As between calls: the daemon gives back what the last call used a few seconds after it.
                    await Task.Delay(5000).ConfigureAwait(false);
                    samples.Add((cycle, ProcessStats.ResidentBytes(daemon.Id), Files(daemon.Id), Threads(daemon.Id)));
                }
            }

            Console.WriteLine($"soak           {cycles} join/leave cycles:");
            foreach (var (cycle, rss, files, threads) in samples)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after {cycle,6}  {Mb(rss),6:0.0} MB resident, {files} open files, {threads} threads"));
            }

            figures.Add(table, $"{cycles} join/leave cycles: resident at the start", Measured, Mb(samples[0].Rss), "0.0", "MB");
            figures.Add(table, $"{cycles} join/leave cycles: resident, highest sample after", Measured, Mb(samples.Skip(1).Max(x => x.Rss)), "0.0", "MB");
            figures.Add(table, $"{cycles} join/leave cycles: open files at the end", Measured, samples[^1].Files, "0");
            figures.Add(table, $"{cycles} join/leave cycles: threads at the end", Measured, samples[^1].Threads, "0");
        }
        finally
        {
            foreach (var process in others.Append(daemon))
            {
                if (process is { HasExited: false })
                {
                    process.Kill();
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    /// <summary>The two parts of resident memory now: anonymous (heaps) and files (the program and its libraries, which the kernel may fault in ahead).</summary>
    private static void Parts(Figures figures, string table, string when, int pid)
    {
        var (anonymous, files) = ProcessStats.ResidentParts(pid);
        figures.Add(table, $"{when}: of it anonymous", "measured", Mb(anonymous), "0.0", "MB");
        figures.Add(table, $"{when}: of it files", "measured", Mb(files), "0.0", "MB");
    }

    private static int Files(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static int Threads(int pid) => Directory.GetDirectories($"/proc/{pid}/task").Length;

    /// <summary>Starts the daemon with a NOTIFY_SOCKET of ours and waits for READY=1.</summary>
    private static async Task<(Process Process, TimeSpan Ready)> StartAsync(string? native, string directory, string name)
    {
        var notify = Path.Combine(directory, name + ".notify");
        File.Delete(notify);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(notify));
        var clock = Stopwatch.StartNew();
        var process = BenchDaemons.Start(directory, name, ["--name", name, "--listen", "127.0.0.1:0", "--Audio:Enabled", "false"], notifySocket: notify, native: native);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var received = await listener.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (System.Text.Encoding.ASCII.GetString(buffer, 0, received).Split('\n').Contains("READY=1"))
            {
                return (process, clock.Elapsed);
            }
        }
    }
}
