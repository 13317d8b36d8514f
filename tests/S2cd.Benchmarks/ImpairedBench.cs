using System.Diagnostics;
using System.Globalization;
using System.Net;
using S2cd.Audio;
using S2cd.Contract;
using S2cd.Impair;
using S2cd.Benchmarks.Harness;
using StreamJsonRpc;

namespace S2cd.Benchmarks;

/// <summary>
/// A call over an impaired link, the same call over the UDP path and over the TLS path side by side: a relay,
/// daemon a on loopback, daemon b reaching the relay through the link impairer (loss, 40±10 ms delay; on TCP the
/// same delay and, for each lost segment, the stall TCP has until it retransmits). a sends a 440 Hz tone
/// (continuously, noise suppression off: <see cref="HeardAudio.ToneSettings"/>) and its test pattern; b's speaker output is written to a file and measured: silence, gaps over 60 ms, the longest gap;
/// b's daemon measures mouth-to-ear delay; b's view of a gives frames per second and capture-to-view delay.
/// </summary>
internal static class ImpairedBench
{
    private const string Table = "Impaired link: one call a row, b behind the impairer (40±10 ms each way; TLS: a 200 ms stall per lost segment)";

    public static Task<int> RunAsync(string[] args)
    {
        var seconds = BenchArgs.Int(args, "--seconds", 20, 5, 600);
        return BenchRun.RunAsync("impaired", args, async (figures, _) =>
        {
            figures.Note(Table, HeardAudio.ToneNote);
            figures.Note(Table, $"{seconds} s measured per row after 5 s of warm-up; silence and gaps from b's speaker output, mouth-to-ear from b's daemon, video from b's view of a.");
            foreach (var loss in new[] { 0.01, 0.02, 0.05 })
            {
                foreach (var udp in new[] { true, false })
                {
                    var row = await MeasureAsync(udp, loss, seconds).ConfigureAwait(false);
                    var name = string.Create(CultureInfo.InvariantCulture, $"{(udp ? "UDP" : "TLS")} {loss * 100:0}%");
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: silence {row.Heard.SilencePercent:0.00}%, gaps {row.Heard.Gaps}, longest {row.Heard.LongestGapMs:0} ms, m2e {row.P50:0}/{row.P95:0} ms, {row.Fps:0.0} fps, view p99 {row.ViewP99:0} ms"));
                    figures.Add(Table, name, "silence", row.Heard.SilencePercent, "0.00", "%");
                    figures.Add(Table, name, "gaps > 60 ms", row.Heard.Gaps, "0");
                    figures.Add(Table, name, "longest gap", row.Heard.LongestGapMs, "0", "ms");
                    figures.Add(Table, name, "mouth-to-ear p50", row.P50, "0", "ms");
                    figures.Add(Table, name, "mouth-to-ear p95", row.P95, "0", "ms");
                    figures.Add(Table, name, "video fps at b", row.Fps, "0.0");
                    figures.Add(Table, name, "capture-to-view p99", row.ViewP99, "0", "ms");
                }
            }
        });
    }

    private sealed record Row(HeardAudio Heard, double P50, double P95, double Fps, double ViewP99);

    private static async Task<Row> MeasureAsync(bool udp, double loss, int seconds)
    {
        var directory = Directory.CreateTempSubdirectory("s2cd-bench-impaired").FullName;
        var processes = new List<Process>();
        var clients = new List<JsonRpc>();
        try
        {
            var tone = Path.Combine(directory, "tone.raw");
            await File.WriteAllBytesAsync(tone, HeardAudio.Tone(seconds + 40)).ConfigureAwait(false);
            var heard = Path.Combine(directory, "heard.raw");
            WriteAsoundrc(directory, "a", $"pcm.a_out {{ type file slave.pcm \"null\" file \"/dev/null\" format \"raw\" }}\npcm.a_in {{ type file slave.pcm \"null\" file \"/dev/null\" infile \"{tone}\" format \"raw\" }}", "a");
            WriteAsoundrc(directory, "b", $"pcm.b_out {{ type file slave.pcm \"null\" file \"{heard}\" format \"raw\" }}\npcm.b_in {{ type null }}", "b");

            var relay = BenchDaemons.Start(directory, "relay", ["--role", "relay", "--listen", "127.0.0.1:0"], keepStdout: true);
            processes.Add(relay);
            var endpoint = IPEndPoint.Parse(await BenchDaemons.ReadRelayListenAsync(relay).ConfigureAwait(false));
            await using var impairer = LinkImpairer.Start(endpoint);
            impairer.Udp = new UdpImpairment { Loss = loss, Delay = TimeSpan.FromMilliseconds(40), Jitter = TimeSpan.FromMilliseconds(10) };
            impairer.Tcp = new TcpImpairment { Delay = TimeSpan.FromMilliseconds(40), Jitter = TimeSpan.FromMilliseconds(10), StallChance = loss, Stall = TimeSpan.FromMilliseconds(200) };
            var path = udp ? "true" : "false";
            processes.Add(BenchDaemons.Start(directory, "a", ["--name", "a", "--relay", endpoint.ToString(), "--Relay:Embedded", "false", "--Conference:Udp", path, .. HeardAudio.ToneSettings], home: Path.Combine(directory, "a")));
            processes.Add(BenchDaemons.Start(directory, "b", ["--name", "b", "--relay", $"127.0.0.1:{impairer.Port}", "--Relay:Embedded", "false", "--Conference:Udp", path, "--Video:Camera", "testpattern", .. HeardAudio.ToneSettings], home: Path.Combine(directory, "b")));
            foreach (var name in new[] { "a", "b" })
            {
                var rpc = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, name)).ConfigureAwait(false);
                await rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Join, new JoinRequest { Session = "impaired" }).ConfigureAwait(false);
                clients.Add(rpc);
            }

            // Warm up: the path settles (b's datagrams answered), the jitter buffer finds its depth.
            await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            var status = await clients[1].InvokeAsync<StatusResult>(ControlProtocol.Methods.Status).ConfigureAwait(false);
            if (udp != (status.MediaPath?.Kind == MediaPathKind.Udp))
            {
                throw new InvalidOperationException($"b's media path is {(status.MediaPath is { } mediaPath ? StatusWords.Of(mediaPath) : "none")}");
            }

            var start = new FileInfo(heard).Length;
            var views = new List<double>();
            var clock = Stopwatch.StartNew();
            var fps = new List<double>();
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await Task.Delay(250).ConfigureAwait(false);
                var a = (await clients[1].InvokeAsync<ParticipantInfo[]>(ControlProtocol.Methods.Participants).ConfigureAwait(false)).FirstOrDefault(p => p.Name == "a");
                if (a?.VideoDelayMs is { } delay)
                {
                    views.Add(delay);
                }

                fps.Add(a?.VideoFps ?? 0);
            }

            status = await clients[1].InvokeAsync<StatusResult>(ControlProtocol.Methods.Status).ConfigureAwait(false);
            var what = string.Create(CultureInfo.InvariantCulture, $"{(udp ? "UDP" : "TLS")} at {loss * 100:0}% loss");
            var carried = HeardAudio.Read(heard, start).CarriedOrThrow(what);
            if (status.AudioDelayMs is not { } p50 || status.AudioDelayP95Ms is not { } p95)
            {
                throw new NothingMeasuredException($"{what}: b's daemon measured no mouth-to-ear delay (no audio played)");
            }

            if (views.Count == 0 || fps.Average() < 1)
            {
                throw new NothingMeasuredException($"{what}: b's view received no picture of a ({fps.Average():0.0} frames/s)");
            }

            views.Sort();
            return new Row(carried, p50, p95, fps.Average(), views[(int)Math.Min(views.Count - 1, views.Count * 0.99)]);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            foreach (var process in processes)
            {
                process.Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
                process.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static void WriteAsoundrc(string directory, string name, string devices, string prefix)
    {
        Directory.CreateDirectory(Path.Combine(directory, name));
        File.WriteAllText(Path.Combine(directory, name, ".asoundrc"), $"pcm.!default {{ type asym playback.pcm \"{prefix}_out\" capture.pcm \"{prefix}_in\" }}\n{devices}\n");
    }
}
