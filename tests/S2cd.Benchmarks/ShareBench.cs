using System.Diagnostics;
using System.Text;
using OpenCvSharp;
using S2cd.Benchmarks.Harness;
using S2cd.Contract;
using S2cd.Tests.Support;
using S2cd.Wire;
using StreamJsonRpc;

namespace S2cd.Benchmarks;

/// <summary>
/// <c>s2cd-bench share [--runs N] [--seconds S]</c>: a terminal shared through real daemons and a real relay (the link
/// recorded in the middle, plain TCP so its frames can be counted), the real s2c-attach share on a 200×60 screen:
/// bytes a second of screen updates to one viewer and, for typing, the time from a key written to the shared program
/// to the viewer's daemon holding its echo, for an idle shell, typing, a scrolling log and a full-screen redraw. Beside
/// each, the same screens as video through today's path: rendered at 8×16 pixels a cell, sent at the video's 15 frames
/// a second as JPEG (quality 70) at the wire size (160×120, where text cannot be read) and at the screen's own size.
/// </summary>
internal static class ShareBench
{
    private const string Table = "A shared 200×60 terminal to one viewer (screen updates, sealed, on the relay link) beside the same screens as video";
    private const string Size = "200x60";

    private static readonly (string Name, string Program)[] Screens =
    [
        ("idle shell", "printf '$ '; sleep 1000"),
        ("typing", "stty -icanon -echo; cat"),
        ("scrolling log", "i=0; while :; do i=$((i+1)); echo \"$(date +%T.%N) worker-$((i % 7)) GET /api/v1/items?page=$i 200 $((i % 50))ms\"; sleep 0.01; done"),
        ("full-screen redraw", "while :; do printf '\\033[H'; od -An -tx1 -N5800 /dev/urandom | head -60; sleep 0.1; done"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = BenchArgs.Int(args, "--seconds", 5, 2, 60);
        return await BenchRun.RunAsync("share", args, async (figures, _) =>
        {
            figures.Note(Table, $"{seconds} s of each screen a round; the share's budget is {Attach.ShareBytesPerSecond / 1024} KB/s. Targets: a scrolling log under 20 KB/s, an idle screen nothing but a keepalive. Video: what today's camera path would send of the same screens, 15 JPEG frames a second.");
            var directory = Directory.CreateTempSubdirectory("s2cd-share-bench").FullName;
            try
            {
                await RoundAsync(directory, seconds, figures).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }).ConfigureAwait(false);
    }

    private static async Task RoundAsync(string directory, int seconds, Figures figures)
    {
        using var relay = BenchDaemons.Start(directory, "relay", ["--role", "relay", "--listen", "127.0.0.1:0", "--Relay:Tls", "false"], keepStdout: true);
        var endpoint = await BenchDaemons.ReadRelayListenAsync(relay).ConfigureAwait(false);
        await using var middle = InterceptingRelay.Start(int.Parse(endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        var via = $"127.0.0.1:{middle.Port}";
        string[] member = ["--relay", via, "--Relay:Embedded", "false", "--Conference:Tls", "false", "--Audio:Enabled", "false", "--Video:Fps", "5"];
        using var alice = BenchDaemons.Start(directory, "alice", ["--name", "alice", .. member]);
        using var bob = BenchDaemons.Start(directory, "bob", ["--name", "bob", .. member]);
        using var a = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, "alice")).ConfigureAwait(false);
        using var b = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, "bob")).ConfigureAwait(false);
        await a.InvokeAsync<StatusResult>(ControlProtocol.Methods.Join, new JoinRequest { Session = "share" }).ConfigureAwait(false);
        await b.InvokeAsync<StatusResult>(ControlProtocol.Methods.Join, new JoinRequest { Session = "share" }).ConfigureAwait(false);
        await Until(async () => (await b.InvokeAsync<ParticipantInfo[]>(ControlProtocol.Methods.Participants).ConfigureAwait(false)).Any(p => p.Name == "alice" && p.KeyId is not null), "bob holds alice's key").ConfigureAwait(false);

        foreach (var (name, program) in Screens)
        {
            using var share = StartShare(BenchDaemons.SocketPath(directory, "alice"), program);
            await Until(async () => await ScreenAsync(b).ConfigureAwait(false) is not null, $"{name}: bob sees the share").ConfigureAwait(false);
            await Task.Delay(1000).ConfigureAwait(false);
            middle.Recorded.Clear();
            var clock = Stopwatch.StartNew();
            var latencies = name == "typing" ? await TypeAsync(share, b, seconds).ConfigureAwait(false) : null;
            var video = new List<(int Wire, int Legible)>();
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds) || video.Count < 3)
            {
                if (await ScreenAsync(b).ConfigureAwait(false) is { } screen && video.Count < 10)
                {
                    video.Add(AsVideo(screen));
                }

                await Task.Delay(300).ConfigureAwait(false);
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            var frames = middle.Recorded.ToArray().Where(f => InterceptingRelay.TypeOf(f) == FrameType.MediaForward && f[9] == (byte)MediaKind.Screen).ToArray();
            if (frames.Length == 0)
            {
                throw new NothingMeasuredException($"{name}: no screen update reached bob in {elapsed:0.0} s");
            }

            var perSecond = frames.Sum(f => f.Length) / elapsed;
            figures.Add(Table, name, "share KB/s", perSecond / 1024, "0.00");
            figures.Add(Table, name, "updates/s", frames.Length / elapsed, "0.0");
            if (latencies is not null)
            {
                if (latencies.Count < seconds * 5)
                {
                    throw new NothingMeasuredException($"{name}: only {latencies.Count} of the keys typed reached bob's screen");
                }

                latencies.Sort();
                figures.Add(Table, name, "key to viewer p50 ms", latencies[latencies.Count / 2], "0");
                figures.Add(Table, name, "key to viewer p95 ms", latencies[(int)(latencies.Count * 0.95)], "0");
            }

            var wire = video.Average(v => v.Wire) * 15;
            var legible = video.Average(v => v.Legible) * 15;
            figures.Add(Table, name, "video 160×120 KB/s", wire / 1024, "0.0");
            figures.Add(Table, name, "video 1600×960 KB/s", legible / 1024, "0");
            figures.Add(Table, name, "legible video ÷ share", legible / perSecond, "0");
            share.Kill(entireProcessTree: true);
            await share.WaitForExitAsync().ConfigureAwait(false);
            await Until(async () => await ScreenAsync(b).ConfigureAwait(false) is null, $"{name}: the share ends").ConfigureAwait(false);
        }
    }

    /// <summary>Types a letter every 100 ms into the shared cat; the time until bob's daemon holds it on the screen.</summary>
    private static async Task<List<double>> TypeAsync(Process share, JsonRpc viewer, int seconds)
    {
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        var typed = new StringBuilder();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var key = (char)('a' + (typed.Length % 26));
            typed.Append(key);
            var expected = typed.ToString();
            var sent = Stopwatch.StartNew();
            await share.StandardInput.WriteAsync(key).ConfigureAwait(false);
            await share.StandardInput.FlushAsync().ConfigureAwait(false);
            while (sent.Elapsed < TimeSpan.FromSeconds(2))
            {
                if (await ScreenAsync(viewer).ConfigureAwait(false) is { } screen && screen.Lines[0].EndsWith(expected[Math.Max(0, expected.Length - 20)..], StringComparison.Ordinal))
                {
                    latencies.Add(sent.Elapsed.TotalMilliseconds);
                    break;
                }

                await Task.Delay(2).ConfigureAwait(false);
            }

            await Task.Delay(Math.Max(0, 100 - (int)sent.ElapsedMilliseconds)).ConfigureAwait(false);
        }

        return latencies;
    }

    /// <summary>The screen as a picture (8×16 pixels a cell, its text in white on black) and its JPEG sizes: at the video's wire size and its own.</summary>
    private static (int Wire, int Legible) AsVideo(ScreenText screen)
    {
        using var picture = new Mat(screen.Rows * 16, screen.Cols * 8, MatType.CV_8UC3, Scalar.Black);
        for (var row = 0; row < screen.Lines.Length; row++)
        {
            var ascii = new string([.. screen.Lines[row].Select(c => c < 128 ? c : '?')]);
            if (ascii.Length == 0)
            {
                continue;
            }

            Cv2.PutText(picture, ascii, new Point(0, (row * 16) + 12), HersheyFonts.HersheyPlain, 0.8, Scalar.White);
        }

        using var small = new Mat();
        Cv2.Resize(picture, small, new OpenCvSharp.Size(160, 120), interpolation: InterpolationFlags.Area);
        var quality = new ImageEncodingParam(ImwriteFlags.JpegQuality, 70);
        return (small.ImEncode(".jpg", quality).Length, picture.ImEncode(".jpg", quality).Length);
    }

    private static async Task<ScreenText?> ScreenAsync(JsonRpc viewer)
    {
        try
        {
            return await viewer.InvokeAsync<ScreenText>(ControlProtocol.Methods.Screen, "alice", false).ConfigureAwait(false);
        }
        catch (RemoteInvocationException)
        {
            return null;
        }
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new NothingMeasuredException($"{what}: not within 30 s");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static Process StartShare(string socket, string program)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "s2c-attach.dll"), "--socket", socket, "share", "--size", Size, "--", "sh", "-c", program })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    /// <summary>The share's byte budget, as the client has it.</summary>
    private static class Attach
    {
        public const int ShareBytesPerSecond = S2cAttach.Share.ShareSession.BytesPerSecond;
    }
}
