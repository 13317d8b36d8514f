using System.Diagnostics;
using System.Globalization;
using System.Net;
using S2cd.Audio;
using S2cd.Contract;
using S2cd.Impair;
using StreamJsonRpc;

namespace S2cd.Benchmarks;

/// <summary>
/// A call over an impaired link, the same call over the UDP path and over the TLS path side by side: a relay,
/// daemon a on loopback, daemon b reaching the relay through the link impairer (loss, 40±10 ms delay; on TCP the
/// same delay and, for each lost segment, the stall TCP has until it retransmits). a sends a 440 Hz tone and its
/// test pattern; b's speaker output is written to a file and measured: silence, gaps over 60 ms, the longest gap;
/// b's daemon measures mouth-to-ear delay; b's view of a gives frames per second and capture-to-view delay.
/// </summary>
internal static class ImpairedBench
{
    private const short Silent = 300;

    public static async Task<int> RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var seconds = args.Length > 1 && args[0] == "--seconds" ? int.Parse(args[1], inv) : 20;
        Console.WriteLine($"link: loss as given, 40±10 ms delay; TCP path: the same delay, and a 200 ms stall for each lost segment; {seconds} s measured per row");
        Console.WriteLine("path  loss  silence  gaps>60ms  longest  m2e p50  m2e p95  video fps  view p99");
        foreach (var loss in new[] { 0.01, 0.02, 0.05 })
        {
            foreach (var udp in new[] { true, false })
            {
                var row = await MeasureAsync(udp, loss, seconds).ConfigureAwait(false);
                Console.WriteLine(string.Create(inv, $"{(udp ? "udp" : "tls"),-4}  {loss * 100,3:0}%  {row.SilencePercent,6:0.00}%  {row.Gaps,9}  {row.LongestMs,4:0} ms  {row.P50,5:0} ms  {row.P95,5:0} ms  {row.Fps,9:0.0}  {row.ViewP99,5:0} ms"));
            }
        }

        return 0;
    }

    private sealed record Row(double SilencePercent, int Gaps, double LongestMs, double P50, double P95, double Fps, double ViewP99);

    private static async Task<Row> MeasureAsync(bool udp, double loss, int seconds)
    {
        var directory = Directory.CreateTempSubdirectory("s2cd-bench-impaired").FullName;
        var processes = new List<Process>();
        var clients = new List<JsonRpc>();
        try
        {
            var tone = Path.Combine(directory, "tone.raw");
            await File.WriteAllBytesAsync(tone, Tone(seconds + 40)).ConfigureAwait(false);
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
            processes.Add(BenchDaemons.Start(directory, "a", ["--name", "a", "--relay", endpoint.ToString(), "--Relay:Embedded", "false", "--Conference:Udp", path], home: Path.Combine(directory, "a")));
            processes.Add(BenchDaemons.Start(directory, "b", ["--name", "b", "--relay", $"127.0.0.1:{impairer.Port}", "--Relay:Embedded", "false", "--Conference:Udp", path, "--Video:Camera", "testpattern"], home: Path.Combine(directory, "b")));
            foreach (var name in new[] { "a", "b" })
            {
                var rpc = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, name)).ConfigureAwait(false);
                await rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Join, new JoinRequest { Session = "impaired" }).ConfigureAwait(false);
                clients.Add(rpc);
            }

            // Warm up: the path settles (b's datagrams answered), the jitter buffer finds its depth.
            await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            var status = await clients[1].InvokeAsync<StatusResult>(ControlProtocol.Methods.Status).ConfigureAwait(false);
            if (udp != (status.MediaPath == "udp"))
            {
                throw new InvalidOperationException($"b's media path is {status.MediaPath}");
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
            var samples = ReadSamples(heard, start);
            var (silence, gaps, longest) = Silences(samples);
            views.Sort();
            return new Row(silence, gaps, longest, status.AudioDelayMs ?? 0, status.AudioDelayP95Ms ?? 0, fps.Average(), views.Count == 0 ? 0 : views[(int)Math.Min(views.Count - 1, views.Count * 0.99)]);
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

    private static byte[] Tone(int seconds)
    {
        var bytes = new byte[AudioOptions.SampleRate * 2 * seconds];
        for (var i = 0; i < bytes.Length / 2; i++)
        {
            var v = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / AudioOptions.SampleRate));
            bytes[2 * i] = (byte)v;
            bytes[(2 * i) + 1] = (byte)(v >> 8);
        }

        return bytes;
    }

    private static short[] ReadSamples(string path, long from)
    {
        var bytes = File.ReadAllBytes(path);
        var start = (int)(from & ~1L);
        var samples = new short[(bytes.Length - start) / 2];
        Buffer.BlockCopy(bytes, start, samples, 0, samples.Length * 2);
        return samples;
    }

    /// <summary>Silence as a share of 1 ms blocks whose peak is below the threshold; gaps are runs of them over 60 ms.</summary>
    private static (double Percent, int Gaps, double LongestMs) Silences(short[] samples)
    {
        var block = AudioOptions.SampleRate / 1000;
        int silent = 0, blocks = 0, run = 0, longest = 0, gaps = 0;
        for (var i = 0; i + block <= samples.Length; i += block)
        {
            blocks++;
            var peak = 0;
            for (var j = i; j < i + block; j++)
            {
                peak = Math.Max(peak, Math.Abs((int)samples[j]));
            }

            if (peak < Silent)
            {
                silent++;
                run++;
                longest = Math.Max(longest, run);
                continue;
            }

            gaps += run > 60 ? 1 : 0;
            run = 0;
        }

        gaps += run > 60 ? 1 : 0;
        return (blocks == 0 ? 100 : 100.0 * silent / blocks, gaps, longest);
    }
}
