using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Contract;
using StreamJsonRpc;

namespace S2cd.Benchmarks;

/// <summary>
/// Audio figures: CPU per participant for encoding, decoding and mixing (timed on this process), and the
/// mouth-to-ear delay the daemons measure themselves, in a call of two daemons through a relay on loopback
/// whose ALSA devices are the file plugin (capture from a tone file, playback to /dev/null).
/// </summary>
internal static class AudioBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        Codec(inv);
        await DelayAsync(inv, args.Length > 1 && args[0] == "--seconds" ? int.Parse(args[1], inv) : 15, endToEnd: !args.Contains("--no-e2e")).ConfigureAwait(false);
        return 0;
    }

    private static void Codec(CultureInfo inv)
    {
        using var encoder = new OpusEncoder(AudioOptions.SampleRate, 24000, 5);
        var frame = new short[AudioOptions.FrameSamples];
        var packet = new byte[AudioPacketHeader.MaxOpusBytes];
        var random = new Random(1);
        var packets = new List<byte[]>();
        const int frames = 2000;
        var clock = Stopwatch.StartNew();
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < frame.Length; i++)
            {
                // Speech-like: a wandering pitch with noise.
                frame[i] = (short)((6000 * Math.Sin(2 * Math.PI * (150 + (50 * Math.Sin(f / 10.0))) * ((f * frame.Length) + i) / 48000)) + random.Next(-500, 500));
            }

            packets.Add(packet[..encoder.Encode(frame, packet)]);
        }

        var encode = clock.Elapsed.TotalMilliseconds / frames;
        using var decoder = new OpusDecoder(AudioOptions.SampleRate);
        clock.Restart();
        foreach (var p in packets)
        {
            decoder.Decode(p, frame);
        }

        var decode = clock.Elapsed.TotalMilliseconds / frames;
        var mixer = new AudioMixer(Options.Create(new AudioOptions()), TimeProvider.System);
        uint seq = 0;
        var payload = new byte[AudioPacketHeader.Size + AudioPacketHeader.MaxOpusBytes];
        const int senders = 4;
        var output = new short[AudioOptions.PeriodSamples];
        clock.Restart();
        var mixTime = TimeSpan.Zero;
        for (var f = 0; f < 500; f++)
        {
            seq++;
            for (uint s = 1; s <= senders; s++)
            {
                var p = packets[f % packets.Count];
                new AudioPacketHeader(seq, 0, 30).Write(payload);
                p.CopyTo(payload.AsSpan(AudioPacketHeader.Size));
                mixer.OnAudio(s, new System.Buffers.ReadOnlySequence<byte>(payload, 0, AudioPacketHeader.Size + p.Length));
            }

            var mixClock = Stopwatch.StartNew();
            mixer.Mix(output);
            mixer.Mix(output);
            mixTime += mixClock.Elapsed;
        }

        Console.WriteLine(string.Create(inv, $"Opus 24 kbit/s CBR, 20 ms frames: encode {encode:0.000} ms/frame ({encode * 50 / 10:0.00}% of one core), decode {decode:0.000} ms/frame ({decode * 50 / 10:0.00}%)"));
        Console.WriteLine(string.Create(inv, $"receive + jitter buffer + decode + mix of {senders} senders: {mixTime.TotalMilliseconds / 500:0.000} ms per 20 ms ({mixTime.TotalMilliseconds / 500 * 50 / 10:0.00}% of one core)"));
        mixer.Dispose();
    }

    /// <summary>
    /// <c>audio-processing [--runs N] [--seconds S]</c>: the CPU of echo cancellation and preprocessing for one
    /// participant at 48 kHz (a minute of speech-like sound with its echo, timed on this thread), then the mouth-to-ear
    /// delay of a call with the processing on and off (the receiving daemon's own figure), run after run.
    /// </summary>
    public static async Task<int> ProcessingAsync(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, inv)).FirstOrDefault(3);
        var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(a => int.Parse(a, inv)).FirstOrDefault(10);
        string[] off = ["--Audio:EchoCancel", "false", "--Audio:NoiseSuppress", "false", "--Audio:AutoGain", "false"];
        for (var run = 1; run <= runs; run++)
        {
            Console.WriteLine($"run {run}:");
            ProcessingCpu(inv, new AudioOptions(), "echo cancellation (200 ms tail) + noise suppression + automatic gain + voice activity");
            ProcessingCpu(inv, new AudioOptions { NoiseSuppress = false, AutoGain = false }, "echo cancellation alone");
            ProcessingCpu(inv, new AudioOptions { EchoCancel = false }, "noise suppression + automatic gain + voice activity");
            Console.Write("processing on:  ");
            await DelayAsync(inv, seconds, endToEnd: true, ["--Audio:Transmit", "continuous"]).ConfigureAwait(false);
            Console.Write("processing off: ");
            await DelayAsync(inv, seconds, endToEnd: true, ["--Audio:Transmit", "continuous", .. off]).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>A minute of a speech-like near end plus the far end's echo (50 ms, -6 dB) through a <see cref="VoiceProcessor"/>.</summary>
    private static void ProcessingCpu(CultureInfo inv, AudioOptions options, string what)
    {
        using var processor = new VoiceProcessor(options);
        if (processor.Problem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        const int Periods = 6000;
        var n = Periods * AudioOptions.PeriodSamples;
        var microphone = new short[n];
        var reference = new short[n];
        var random = new Random(1);
        var delay = AudioOptions.SampleRate / 20;
        for (var i = 0; i < n + delay; i++)
        {
            // The far end: a wandering pitch with noise; the near end talks every other 1.5 s; the room adds its noise.
            var t = i - delay;
            var far = (short)((5000 * Math.Sin(2 * Math.PI * (200 + (80 * Math.Sin(i / 9000.0))) * i / 48000)) + random.Next(-300, 300));
            if (i < n)
            {
                reference[i] = far;
            }

            if (t >= 0)
            {
                var near = (t / 72000) % 2 == 0 ? 4000 * Math.Sin(2 * Math.PI * (140 + (40 * Math.Sin(t / 5000.0))) * t / 48000) : 0;
                microphone[t] = (short)Math.Clamp(near + (reference[Math.Max(0, t - delay)] / 2) + random.Next(-200, 200), short.MinValue, short.MaxValue);
            }
        }

        var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        for (var p = 0; p < Periods; p++)
        {
            var range = new Range(p * AudioOptions.PeriodSamples, (p + 1) * AudioOptions.PeriodSamples);
            processor.Process(microphone.AsSpan(range), reference.AsSpan(range));
        }

        self.Refresh();
        var cpu = self.TotalProcessorTime - before;
        var share = cpu.TotalSeconds / (Periods / 100.0) * 100;
        Console.WriteLine(string.Create(inv, $"  {what}: {cpu.TotalMilliseconds / Periods * 1000:0} µs per 10 ms, {share:0.00}% of one core"));
    }

    private static async Task DelayAsync(CultureInfo inv, int seconds, bool endToEnd, string[]? extra = null)
    {
        var directory = Directory.CreateTempSubdirectory("s2cd-bench-audio").FullName;
        var processes = new List<Process>();
        try
        {
            var tone = Path.Combine(directory, "tone.raw");
            var samples = new byte[AudioOptions.SampleRate * 2 * (seconds + 30)];
            for (var i = 0; i < samples.Length / 2; i++)
            {
                var v = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / AudioOptions.SampleRate));
                samples[2 * i] = (byte)v;
                samples[(2 * i) + 1] = (byte)(v >> 8);
            }

            await File.WriteAllBytesAsync(tone, samples).ConfigureAwait(false);
            foreach (var name in new[] { "a", "b" })
            {
                Directory.CreateDirectory(Path.Combine(directory, name));
                await File.WriteAllTextAsync(Path.Combine(directory, name, ".asoundrc"), $$"""
                    pcm.!default { type asym playback.pcm "bench_out" capture.pcm "bench_in" }
                    pcm.bench_out { type file slave.pcm "null" file "/dev/null" format "raw" }
                    pcm.bench_in { type file slave.pcm "null" file "/dev/null" infile "{{tone}}" format "raw" }
                    """).ConfigureAwait(false);
            }

            var a = BenchDaemons.Start(directory, "a", ["--name", "a", "--listen", "127.0.0.1:0", "--Conference:EndToEnd", endToEnd ? "true" : "false", .. extra ?? []], keepStdout: true, home: Path.Combine(directory, "a"));
            processes.Add(a);
            var relay = await BenchDaemons.ReadRelayListenAsync(a).ConfigureAwait(false);
            processes.Add(BenchDaemons.Start(directory, "b", ["--name", "b", "--relay", relay, "--Relay:Embedded", "false", "--Conference:EndToEnd", endToEnd ? "true" : "false", .. extra ?? []], home: Path.Combine(directory, "b")));
            var clients = new List<JsonRpc>();
            foreach (var name in new[] { "a", "b" })
            {
                var rpc = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, name)).ConfigureAwait(false);
                await rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetCamera, false).ConfigureAwait(false);
                await rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Join, new JoinRequest { Session = "bench", Relay = relay }).ConfigureAwait(false);
                clients.Add(rpc);
            }

            var cpuBefore = ProcessStats.CpuTime(processes[1].Id);
            await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            var cpu = ProcessStats.CpuTime(processes[1].Id) - cpuBefore;
            var status = await clients[1].InvokeAsync<StatusResult>(ControlProtocol.Methods.Status).ConfigureAwait(false);
            Console.WriteLine($"end-to-end encryption {(endToEnd ? "on" : "off")}");
            Console.WriteLine(string.Create(inv, $"mouth-to-ear, capture read to playback write, measured by the receiving daemon: p50 {status.AudioDelayMs:0.0} ms, p95 {status.AudioDelayP95Ms:0.0} ms (jitter buffer {status.JitterBufferMs} ms, loss {status.AudioLossPercent}%, {status.AudioUnderruns} underruns, {status.AudioXruns} xruns)"));
            Console.WriteLine(string.Create(inv, $"receiving daemon, camera off, one sender: {cpu.TotalSeconds / seconds * 100:0.0}% of one core, {ProcessStats.ResidentBytes(processes[1].Id) / 1048576.0:0} MB resident"));
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Kill();
                process.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

}
