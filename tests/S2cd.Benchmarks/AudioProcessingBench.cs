using System.Diagnostics;
using System.Globalization;
using S2cd.Audio;
using S2cd.Benchmarks.Harness;
using S2cd.Tests.Support;

namespace S2cd.Benchmarks;

/// <summary>
/// The microphone's processing: its CPU per participant, the echo it takes out of espeak-ng's speech when the echo
/// comes later than the devices report and the clocks drift (the daemon's own echo path in <see cref="EchoRoom"/>), and
/// what it adds to the mouth-to-ear delay of a real call.
/// </summary>
internal static class AudioProcessingBench
{
    /// <summary>
    /// <c>audio-processing [--runs N] [--seconds S]</c>: the CPU of echo cancellation and preprocessing for one
    /// participant at 48 kHz (a minute of speech-like sound with its echo, timed on this thread), the echo taken out of
    /// speech at each extra delay and drift, then the mouth-to-ear delay of a call with the processing on and off (the
    /// receiving daemon's own figure), run after run.
    /// </summary>
    public static Task<int> ProcessingAsync(string[] args)
    {
        var seconds = BenchArgs.Int(args, "--seconds", 10, 3, 600);
        string[] off = ["--Audio:EchoCancel", "false", "--Audio:NoiseSuppress", "false", "--Audio:AutoGain", "false", "--Audio:Transmit", "continuous"];
        const string CpuTable = "Audio processing CPU per participant (a minute of 48 kHz microphone, on this process's CPU clock)";
        const string DelayTable = "Audio processing in a call: espeak-ng speech, processing on (as shipped) against off";
        const string EchoTable = "Echo on espeak-ng speech (far end), the echo path found from the signals";
        return BenchRun.RunAsync("audio-processing", args, async (figures, round) =>
        {
            var tail = new AudioOptions().EchoTailMs;
            ProcessingCpu(figures, CpuTable, new AudioOptions(), $"echo path + cancellation ({tail} ms tail) + noise suppression + automatic gain + voice activity");
            ProcessingCpu(figures, CpuTable, new AudioOptions { NoiseSuppress = false, AutoGain = false }, "echo path + cancellation alone");
            ProcessingCpu(figures, CpuTable, new AudioOptions { EchoCancel = false }, "noise suppression + automatic gain + voice activity");
            figures.Note(CpuTable, "A speech-like near end every other 1.5 s, the far end's echo at 50 ms and −6 dB, room noise. The echo path is the delay and drift estimation that reads the canceller's reference. Target ≤ 3% of one core.");
            EchoFigures(figures, EchoTable);
            figures.Note(EchoTable, "The daemon's echo path, reference, alignment and processing as shipped, run on 8 s of espeak-ng's sentence at −26 dBFS as the far end, in a simulated room (the direct sound at −6 dB and reflections up to 40 ms after it, drift as a band-limited stretch of the echo), faster than real time. ERLE: the echo left after 3 s against the same room with echo cancellation off (noise suppression on in both). Sent: the share of 10 ms periods voice activity would send while only the echo is heard.");
            figures.Note(DelayTable, $"The sender's microphone plays espeak-ng's sentence at −26 dBFS over and over. On: the shipped settings (echo cancellation, noise suppression, automatic gain, voice-activated transmission). Off: all three off, sent continuously. {seconds} s a call, the two calls alternating in order round by round.");
            double? on = null, offDelay = null;
            foreach (var processing in round % 2 == 1 ? new[] { true, false } : [false, true])
            {
                var call = await AudioBench.DelayAsync(seconds, endToEnd: true, AudioBench.Input.Speech, processing ? [] : off).ConfigureAwait(false);
                call.Report(figures, DelayTable, processing ? "processing on" : "processing off");
                if (processing)
                {
                    on = call.P50;
                }
                else
                {
                    offDelay = call.P50;
                }
            }

            figures.Add(DelayTable, "added by processing (on − off, within a round)", "mouth-to-ear p50", on!.Value - offDelay!.Value, "+0.0;−0.0;0.0", "ms");
        });
    }

    /// <summary>
    /// A minute of a speech-like near end plus the far end's echo (50 ms, -6 dB) through the capture loop's processing:
    /// the echo reference, the echo path's estimation (when the canceller runs) and the <see cref="VoiceProcessor"/>.
    /// </summary>
    private static void ProcessingCpu(Figures figures, string table, AudioOptions options, string what)
    {
        using var processor = new VoiceProcessor(options);
        if (processor.Problem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        const int Periods = 6000;
        const int Period = AudioOptions.PeriodSamples;
        var n = Periods * Period;
        var microphone = new short[n];
        var far = new short[n + (2 * Period)];
        var random = new Random(1);
        var delay = AudioOptions.SampleRate / 20;
        for (var i = 0; i < far.Length; i++)
        {
            // The far end: a wandering pitch with noise; the near end talks every other 1.5 s; the room adds its noise.
            far[i] = (short)((5000 * Math.Sin(2 * Math.PI * (200 + (80 * Math.Sin(i / 9000.0))) * i / 48000)) + random.Next(-300, 300));
        }

        for (var t = 0; t < n; t++)
        {
            var near = (t / 72000) % 2 == 0 ? 4000 * Math.Sin(2 * Math.PI * (140 + (40 * Math.Sin(t / 5000.0))) * t / 48000) : 0;
            microphone[t] = (short)Math.Clamp(near + (far[Math.Max(0, t - delay)] / 2) + random.Next(-200, 200), short.MinValue, short.MaxValue);
        }

        // The speaker two periods ahead of the microphone, as the daemon's playback buffer keeps it.
        var echo = new EchoReference();
        var alignment = processor.CancelsEcho ? new EchoAlignment(echo) : null;
        var canceller = new short[Period];
        const long T0 = 10_000_000;
        echo.Played(far.AsSpan(0, Period), T0, 0);
        echo.Played(far.AsSpan(Period, Period), T0 + Period, 0);
        var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        for (var p = 0; p < Periods; p++)
        {
            echo.Played(far.AsSpan((p + 2) * Period, Period), T0 + ((p + 2) * Period), 0);
            var period = microphone.AsSpan(p * Period, Period);
            var heard = echo.Captured(canceller, T0 + ((p + 1) * Period), 0);
            if (alignment is not null && alignment.Next(period, heard, canceller))
            {
                processor.RestartEchoCanceller();
            }

            processor.Process(period, canceller);
        }

        self.Refresh();
        var cpu = self.TotalProcessorTime - before;
        var share = cpu.TotalSeconds / (Periods / 100.0) * 100;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what}: {cpu.TotalMilliseconds / Periods * 1000:0} µs per 10 ms, {share:0.00}% of one core"));
        figures.Add(table, what, "per 10 ms period", cpu.TotalMilliseconds / Periods * 1000, "0", "µs");
        figures.Add(table, what, "share of one core", share, "0.00", "%");
    }

    /// <summary>
    /// The echo taken out of espeak-ng's speech in <see cref="EchoRoom"/> (the daemon's own echo path, a room with
    /// reflections): with the echo 0, 150 and 300 ms later than the devices report, and with the clocks 100 ppm apart;
    /// as shipped, and as before the echo path was estimated (a 200 ms tail, the devices' figures alone). Refuses a room
    /// in which the echo did not reach the microphone.
    /// </summary>
    private static void EchoFigures(Figures figures, string table)
    {
        foreach (var (extra, drift) in new[] { (0, 0), (150, 0), (300, 0), (150, 100), (300, -100) })
        {
            var row = drift == 0 ? $"echo {extra} ms later than the devices report" : $"echo {extra} ms later, clocks {drift:+0;−0} ppm apart";
            var off = EchoRoom.Run(new EchoRoom.Setup(extra, drift, EchoCancel: false));
            var echoPower = EchoRoom.Power(off.Echo, 3, off.Echo);
            if (echoPower < 100 * 100)
            {
                throw new NothingMeasuredException($"{row}: the echo did not reach the microphone (RMS {Math.Sqrt(echoPower):0})");
            }

            var on = EchoRoom.Run(new EchoRoom.Setup(extra, drift));
            var before = EchoRoom.Run(new EchoRoom.Setup(extra, drift, FindDelay: false), new AudioOptions { EchoTailMs = 200 });
            var reference = EchoRoom.Power(off.Output, 3, off.Echo);
            double Erle(EchoRoom.Result result) => 10 * Math.Log10(reference / Math.Max(EchoRoom.Power(result.Output, 3, off.Echo), 1e-3));
            var sent = 100.0 * on.Transmitted.Skip(300).Count(x => x) / Math.Max(1, on.Transmitted.Length - 300);
            figures.Add(table, row, "ERLE after 3 s", Erle(on), "0.0", "dB");
            figures.Add(table, row, "before (200 ms tail, devices' figures)", Erle(before), "0.0", "dB");
            figures.Add(table, row, "delay estimate error", on.EstimatedDelayMs is { } found ? found - extra : double.NaN, "+0;−0;0", "ms");
            figures.Add(table, row, "first estimate after", on.FirstEstimateMs, "0", "ms");
            figures.Add(table, row, "sent on echo alone", sent, "0", "%");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row}: ERLE {Erle(on):0.0} dB (before {Erle(before):0.0}), estimate {on.EstimatedDelayMs} ms after {on.FirstEstimateMs} ms, drift followed {on.DriftPpm:0.0} ppm, {sent:0}% of periods sent"));
        }
    }
}
