using System.Diagnostics;
using System.Globalization;
using System.Text;
using S2cd.Benchmarks.Harness;
using S2cd.Contract;
using StreamJsonRpc;

using S2cd.Tests.Support;

namespace S2cd.Benchmarks;

/// <summary>
/// Capture-to-write delay: a relay and four participant daemons (test-pattern cameras, 15 fps) in one
/// session on loopback; a view client on the first daemon writes every frame (to /dev/null) and measures
/// the time from the capture of the newest remote picture in it to the moment it was written. Also
/// reports that daemon's CPU and resident memory during the call. Each round makes the call with end-to-end
/// encryption on and off, in an order that alternates round by round.
/// </summary>
internal static class VideoDelayBench
{
    private const string Table = "Video: 4 daemons with 15 fps test patterns through a relay (TLS) on loopback, a 160×48 view on one of them";

    public static Task<int> RunAsync(string[] args)
    {
        var seconds = BenchArgs.Int(args, "--seconds", 20, 2, 600);
        var mode = BenchArgs.Text(args, "--mode") ?? "blocks";
        return BenchRun.RunAsync("video-delay", args, async (figures, round) =>
        {
            figures.Note(Table, $"{seconds} s a call, view mode {mode}. Targets: capture → written p50 < 40 ms, p99 < 100 ms; daemon with the view < 25% of one core, < 200 MB.");
            foreach (var endToEnd in round % 2 == 1 ? new[] { true, false } : [false, true])
            {
                var row = endToEnd ? "end-to-end encryption on" : "end-to-end encryption off";
                var call = await CallAsync(seconds, endToEnd, mode).ConfigureAwait(false);
                figures.Add(Table, row, "capture → written p50", call.P50, "0.0", "ms");
                figures.Add(Table, row, "capture → written p99", call.P99, "0.0", "ms");
                figures.Add(Table, row, "view frames/s", call.Fps, "0");
                figures.Add(Table, row, "daemon with the view: CPU", call.ViewCpu, "0.0", "%");
                figures.Add(Table, row, "daemon with the view: memory", call.ViewMb, "0", "MB");
                figures.Add(Table, row, "daemon without a view: CPU", call.OtherCpu, "0.0", "%");
                figures.Add(Table, row, "daemon without a view: memory", call.OtherMb, "0", "MB");
            }
        });
    }

    private sealed record Call(double P50, double P99, double Fps, double ViewCpu, double ViewMb, double OtherCpu, double OtherMb);

    private static async Task<Call> CallAsync(int seconds, bool encrypted, string mode)
    {
        var endToEnd = encrypted ? "true" : "false";
        var directory = Directory.CreateTempSubdirectory("s2cd-bench-video").FullName;
        var daemons = new List<Process>();
        try
        {
            var relay = BenchDaemons.Start(directory, "relay", ["--role", "relay", "--listen", "127.0.0.1:0"], keepStdout: true);
            daemons.Add(relay);
            var relayAddress = await BenchDaemons.ReadRelayListenAsync(relay).ConfigureAwait(false);
            for (var i = 0; i < 4; i++)
            {
                daemons.Add(BenchDaemons.Start(directory, $"p{i}", ["--name", $"p{i}", "--relay", relayAddress, "--Relay:Embedded", "false", "--Conference:EndToEnd", endToEnd]));
            }

            var clients = new List<JsonRpc>();
            for (var i = 0; i < 4; i++)
            {
                var rpc = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, $"p{i}")).ConfigureAwait(false);
                await rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Join, new JoinRequest { Session = "bench" }).ConfigureAwait(false);
                clients.Add(rpc);
            }

            var view = clients[0];
            var viewId = await view.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 160, Rows = 48, Mode = mode }).ConfigureAwait(false);
            await Task.Delay(3000).ConfigureAwait(false);

            var pid = daemons[1].Id;
            var cpuBefore = ProcessStats.CpuTime(pid);
            var otherPid = daemons[2].Id;
            var otherBefore = ProcessStats.CpuTime(otherPid);
            var clock = Stopwatch.StartNew();
            var delays = new List<double>();
            long lastCapture = 0;
            long bytes = 0;
            var frames = 0;
            long peakRss = 0;
            using var sink = new FileStream("/dev/null", FileMode.Open, FileAccess.Write);
            var version = -1L;
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                var frame = await view.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, viewId, version, 1000).ConfigureAwait(false);
                version = frame.Version;
                var data = Encoding.UTF8.GetBytes(frame.Data);
                sink.Write(data);
                bytes += data.Length;
                frames++;
                if (frame.NewestCaptureUnixMicroseconds is { } captured && captured != lastCapture)
                {
                    lastCapture = captured;
                    delays.Add((((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10) - captured) / 1000.0);
                }

                if (frames % 50 == 0)
                {
                    peakRss = Math.Max(peakRss, ProcessStats.ResidentBytes(pid));
                }
            }

            var cpu = ProcessStats.CpuTime(pid) - cpuBefore;
            var otherCpu = ProcessStats.CpuTime(otherPid) - otherBefore;
            delays.Sort();
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"4 participants, 15 fps test patterns, view 160x48 blocks on p0, {clock.Elapsed.TotalSeconds:0} s, end-to-end encryption {(endToEnd == "true" ? "on" : "off")}"));
            Console.WriteLine(string.Create(inv, $"capture->write delay  p50 {Pct(delays, 0.5):0.0} ms  p99 {Pct(delays, 0.99):0.0} ms  ({delays.Count} new pictures)"));
            Console.WriteLine(string.Create(inv, $"view                  {frames / clock.Elapsed.TotalSeconds:0} frames/s, {bytes / clock.Elapsed.TotalSeconds / 1024:0} KB/s"));
            Console.WriteLine(string.Create(inv, $"daemon p0 (with view) {cpu.TotalSeconds / clock.Elapsed.TotalSeconds * 100:0.0}% of one core, {peakRss / 1048576.0:0} MB resident (peak)"));
            Console.WriteLine(string.Create(inv, $"daemon p1 (no view)   {otherCpu.TotalSeconds / clock.Elapsed.TotalSeconds * 100:0.0}% of one core, {ProcessStats.ResidentBytes(otherPid) / 1048576.0:0} MB resident"));
            foreach (var client in clients)
            {
                client.Dispose();
            }

            if (delays.Count == 0)
            {
                throw new NothingMeasuredException($"the view on p0 received no picture of the others in {seconds} s ({frames} frames written)");
            }

            return new Call(
                Pct(delays, 0.5),
                Pct(delays, 0.99),
                frames / clock.Elapsed.TotalSeconds,
                cpu.TotalSeconds / clock.Elapsed.TotalSeconds * 100,
                peakRss / 1048576.0,
                otherCpu.TotalSeconds / clock.Elapsed.TotalSeconds * 100,
                ProcessStats.ResidentBytes(otherPid) / 1048576.0);
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                daemon.Kill();
                await daemon.WaitForExitAsync().ConfigureAwait(false);
                daemon.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Pct(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

}
