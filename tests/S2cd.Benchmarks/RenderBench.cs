using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenCvSharp;
using S2cd.Benchmarks.Harness;
using S2cd.Render;
using S2cd.Tests.Support;
using S2cd.Video;

namespace S2cd.Benchmarks;

/// <summary>
/// Rendering figures: a 640×480 test-pattern picture into 160×48 cells in each mode (time per frame,
/// bytes allocated per frame, bytes of a full frame), the bytes per second a view writes for the moving
/// test pattern at 120×40, and chafa on the same picture when it is installed (the anchor).
/// </summary>
internal static class RenderBench
{
    private const string Table = "Render a 640×480 test-pattern picture into 160×48 cells, resize included (median of 31 batches of 200 frames)";
    private const string ViewTable = "A view of the moving test pattern at 15 fps, one participant, 120×40 (diffs after the first frame)";
    private const string PhotoTable = "The photograph in a 125×48 blocks view of one remote participant, beside chafa at the view's picture grid";

    public static Task<int> RunAsync(string[] args)
    {
        if (BenchArgs.Flag(args, "--picture"))
        {
            // --tolerance KEEP,SHARE: the finest level views use, to see what each costs and buys (0,0 is exact).
            if (BenchArgs.Text(args, "--tolerance") is { } tolerance)
            {
                var parts = tolerance.Split(',');
                if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var keep) || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var share) || keep is < 0 or > 255 || share is < 0 or > 255)
                {
                    throw new ArgumentException("--tolerance takes KEEP,SHARE: two whole numbers from 0 to 255");
                }

                ViewRenderer.Levels[0] = new Tolerance(keep, share, 0);
            }

            var at = Array.IndexOf(args, "--picture");
            var path = at + 1 < args.Length && !args[at + 1].StartsWith("--", StringComparison.Ordinal) ? args[at + 1] : NaturalPicture.Astronaut;
            return BenchRun.RunAsync("render", args, (figures, _) => NaturalRun(figures, path));
        }

        return BenchRun.RunAsync("render", args, (figures, _) =>
        {
            Render(figures);
            return Task.CompletedTask;
        });
    }

    private static void Render(Figures figures)
    {
        var inv = CultureInfo.InvariantCulture;
        var picture = TestPicture(640, 480, frame: 0, out var jpegPath);
        Console.WriteLine("render 640x480 -> 160x48 cells (resize included), median of 31 batches of 200 frames:");
        foreach (var (name, options) in new[]
        {
            ("ascii", new RenderOptions { Mode = RenderMode.Ascii }),
            ("ascii-color truecolor", new RenderOptions { Mode = RenderMode.AsciiColor }),
            ("ascii-color 256", new RenderOptions { Mode = RenderMode.AsciiColor, Colors = ColorDepth.Ansi256 }),
            ("blocks truecolor", new RenderOptions { Mode = RenderMode.Blocks }),
            ("blocks 256", new RenderOptions { Mode = RenderMode.Blocks, Colors = ColorDepth.Ansi256 }),
        })
        {
            var renderer = new PictureRenderer();
            var screen = new Screen(160, 48);
            var perFrame = Median(() => renderer.Render(picture, screen, 0, 0, 160, 48, options), 200);
            var allocated = Allocated(() => renderer.Render(picture, screen, 0, 0, 160, 48, options), 200);

            // A full frame as a terminal receives it: everything drawn onto a blank screen.
            var output = new StringBuilder();
            AnsiWriter.Diff(new Screen(160, 48), screen, options.Colors, output);
            var bytes = Encoding.UTF8.GetByteCount(output.ToString());
            Console.WriteLine(string.Create(inv, $"  {name,-22} {perFrame * 1000:0.000} ms/frame  {allocated,5} B allocated/frame  full frame {bytes / 1024.0:0.0} KB"));
            figures.Add(Table, $"s2cd {name}", "per frame", perFrame * 1000, "0.000", "ms");
            figures.Add(Table, $"s2cd {name}", "allocated per frame", allocated, "0", "B");
            figures.Add(Table, $"s2cd {name}", "full frame written", bytes / 1024.0, "0.0", "KB");
        }

        var lumaTime = Median(() => _ = new Picture(640, 480, picture.Rgb, 0, 1), 20);
        Console.WriteLine(string.Create(inv, $"  (once per received picture, shared by all views: RGB->luma of 640x480 {lumaTime * 1000:0.000} ms; 160x120 wire pictures are 1/16 of that)"));
        figures.Add(Table, "RGB → luma of the 640×480 picture, once per received picture", "per frame", lumaTime * 1000, "0.000", "ms");
        figures.Note(Table, "Targets: ascii ≤ 0.1 ms, ascii-color truecolor ≤ 0.3 ms, blocks truecolor ≤ 0.5 ms and ≤ 60 KB a full frame; nothing allocated per frame.");

        ViewBytes(figures, 120, 40, "ascii", new RenderOptions { Mode = RenderMode.Ascii });
        ViewBytes(figures, 120, 40, "blocks truecolor", new RenderOptions { Mode = RenderMode.Blocks });
        Chafa(figures, jpegPath);
    }

    /// <summary>Bytes a view writes per second for the moving test pattern at 15 fps, one participant (diffs after the first frame).</summary>
    private static void ViewBytes(Figures figures, int cols, int rows, string name, RenderOptions options)
    {
        var view = new ViewRenderer(cols, rows, options);
        long total = 0;
        const int frames = 150;
        var pictures = Enumerable.Range(0, frames).Select(i => TestPicture(160, 120, i, out _)).ToArray();
        var clock = new Stopwatch();
        for (var i = 0; i < frames; i++)
        {
            var picture = pictures[i];
            clock.Start();
            var text = view.Render([new Tile("alice", false, false, true, false, picture, 15)], " demo · 127.0.0.1:1122 connected · rtt 0.3 ms · 15 fps │ m mute  v camera off  q detach  l leave");
            clock.Stop();
            if (i > 0)
            {
                total += Encoding.UTF8.GetByteCount(text);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"view {cols}x{rows} {name}, moving test pattern at 15 fps: {total / (frames - 1.0) / 1024:0.0} KB/frame, {total / (frames - 1.0) * 15 / 1024:0} KB/s, {clock.Elapsed.TotalMilliseconds / frames:0.000} ms/frame to compose, render and diff"));
        figures.Add(ViewTable, name, "per frame", total / (frames - 1.0) / 1024, "0.0", "KB");
        figures.Add(ViewTable, name, "per second", total / (frames - 1.0) * 15 / 1024, "0", "KB");
        figures.Add(ViewTable, name, "compose, render and diff", clock.Elapsed.TotalMilliseconds / frames, "0.000", "ms");
    }

    /// <summary>
    /// The photograph beside chafa, in a 125×48 view of one remote participant (blocks mode), truecolor and 256
    /// colours: quality as placed, the bytes of a full frame, of a still picture with camera noise, of a slow pan.
    /// </summary>
    private static Task NaturalRun(Figures figures, string path)
    {
        using var frame = NaturalPicture.Load(path, out var problem);
        if (frame is null)
        {
            throw new NothingMeasuredException(problem ?? $"{path} could not be read");
        }

        using var wide = new Mat();
        Cv2.Resize(frame, wide, new OpenCvSharp.Size(800, 600), interpolation: InterpolationFlags.Linear);
        Console.WriteLine($"{Path.GetFileName(path)}: 640x480 camera frame -> 160x120 JPEG q70 -> view 125x48 blocks, one remote participant");
        Console.WriteLine("chafa: --stretch --symbols vhalf at the view's picture grid; quality against the camera frame scaled by area to that grid");
        Console.WriteLine("                            PSNR      SSIM   full frame  still+noise  pan 30 px/s    render+diff");
        foreach (var colors in new[] { ColorDepth.TrueColor, ColorDepth.Ansi256 })
        {
            var depth = colors == ColorDepth.TrueColor ? "truecolor" : "256";
            var options = new RenderOptions { Mode = RenderMode.Blocks, Colors = colors };
            var picture = NaturalPicture.Wire(frame, 1);

            // A full frame: the first a new view writes.
            var view = new ViewRenderer(125, 48, options);
            var full = view.Render([RemoteTile(picture)], StatusLine);
            var cells = NaturalPicture.PictureCells(view.Shown);
            var shown = new TerminalPicture(125, 48);
            shown.Feed(full);
            var (psnr, ssim) = NaturalPicture.Quality(frame, shown, cells);

            // The same picture again and again with a little camera noise: what a still picture costs.
            var random = new Random(7);
            long stillBytes = 0;
            const int stillFrames = 30;
            using var noisy = new Mat();
            using var noise = new Mat(frame.Size(), MatType.CV_16SC3);
            for (var i = 0; i < stillFrames; i++)
            {
                Cv2.Randn(noise, 0, 2.0);
                frame.ConvertTo(noisy, MatType.CV_16SC3);
                Cv2.Add(noisy, noise, noisy);
                noisy.ConvertTo(noisy, MatType.CV_8UC3);
                stillBytes += Encoding.UTF8.GetByteCount(view.Render([RemoteTile(NaturalPicture.Wire(noisy, (uint)(i + 2)))], StatusLine));
            }

            // A slow pan (2 camera pixels a frame at 15 frames/s) from a fresh view, timed after 2 s of the same
            // have had the code compiled to its final tier.
            var pans = Enumerable.Range(0, 76).Select(i =>
            {
                using var window = NaturalPicture.Pan(wide, 2 * i);
                return RemoteTile(NaturalPicture.Wire(window, (uint)i));
            }).ToArray();
            var warm = new ViewRenderer(125, 48, options);
            var warming = Stopwatch.StartNew();
            for (var i = 0; warming.Elapsed < TimeSpan.FromSeconds(2); i++)
            {
                warm.Render([pans[i % pans.Length]], StatusLine);
            }

            var pan = new ViewRenderer(125, 48, options);
            long panBytes = 0;
            const int panFrames = 75;
            var clock = new Stopwatch();
            for (var i = 0; i <= panFrames; i++)
            {
                var tile = pans[i];
                clock.Start();
                var text = pan.Render([tile], StatusLine);
                clock.Stop();
                panBytes += i > 0 ? Encoding.UTF8.GetByteCount(text) : 0;
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  s2cd {depth,-21}{psnr,5:0.00} dB  {ssim:0.000}  {Encoding.UTF8.GetByteCount(full) / 1024.0,6:0.0} KB  {stillBytes / (double)stillFrames / 1024.0,6:0.0} KB/f  {panBytes / (double)panFrames * 15 / 1024.0,7:0.0} KB/s  {clock.Elapsed.TotalMilliseconds / (panFrames + 1),6:0.00} ms/frame"));
            var row = $"s2cd {depth}";
            figures.Add(PhotoTable, row, "PSNR", psnr, "0.00", "dB");
            figures.Add(PhotoTable, row, "SSIM", ssim, "0.000");
            figures.Add(PhotoTable, row, "full frame", Encoding.UTF8.GetByteCount(full) / 1024.0, "0.0", "KB");
            figures.Add(PhotoTable, row, "still, with noise", stillBytes / (double)stillFrames / 1024.0, "0.0", "KB/frame");
            figures.Add(PhotoTable, row, "pan 30 px/s", panBytes / (double)panFrames * 15 / 1024.0, "0", "KB/s");
            figures.Add(PhotoTable, row, "render + diff", clock.Elapsed.TotalMilliseconds / (panFrames + 1), "0.00", "ms");
            ChafaBeside(figures, frame, picture, wide, cells, colors == ColorDepth.TrueColor);
        }

        figures.Note(PhotoTable, $"{Path.GetFileName(path)}: 640×480 camera frame → 160×120 JPEG q70 → view 125×48 blocks; chafa --stretch --symbols vhalf, a full frame every frame; quality against the camera frame scaled by area to the picture's cells.");
        return Task.CompletedTask;
    }

    private const string StatusLine = " demo · 127.0.0.1:1122 connected · rtt 0.3 ms · 15 fps │ m mute  v camera off  q detach  l leave";

    private static Tile RemoteTile(Picture picture) => new("alice", false, false, true, false, picture, 15);

    /// <summary>
    /// chafa at the same cell grid as the view's picture, each of its frames a full frame: on the camera frame
    /// itself (what no wire path can reach: the view gets a 160×120 JPEG), and on the picture the view received
    /// (the same input: the renderers side by side).
    /// </summary>
    private static void ChafaBeside(Figures figures, Mat frame, Picture received, Mat wide, OpenCvSharp.Rect cells, bool truecolor)
    {
        using var wire = new Mat();
        using var rgb = Mat.FromPixelData(received.Height, received.Width, MatType.CV_8UC3, received.Rgb);
        Cv2.CvtColor(rgb, wire, ColorConversionCodes.RGB2BGR);
        foreach (var (input, label) in new[] { (frame, "on camera frame"), (wire, "on wire picture") })
        {
            if (NaturalPicture.Chafa(input, cells.Width, cells.Height, truecolor) is not { } first)
            {
                Console.WriteLine("  chafa: not installed (apt install chafa) - no anchor figure");
                figures.Note(PhotoTable, "chafa is not installed here (apt install chafa): no anchor figure.");
                return;
            }

            var shown = new TerminalPicture(cells.Width, cells.Height);
            shown.Feed(first.Output);
            var (psnr, ssim) = NaturalPicture.Quality(frame, shown, new OpenCvSharp.Rect(0, 0, cells.Width, cells.Height));
            long panBytes = 0;
            var times = new List<double>();
            for (var i = 0; i < 15; i++)
            {
                using var window = NaturalPicture.Pan(wide, 10 * i);
                var (output, milliseconds) = NaturalPicture.Chafa(window, cells.Width, cells.Height, truecolor)!.Value;
                panBytes += Encoding.UTF8.GetByteCount(output);
                times.Add(milliseconds);
            }

            times.Sort();
            var bytes = Encoding.UTF8.GetByteCount(first.Output) / 1024.0;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  chafa {label,-16}{psnr,5:0.00} dB  {ssim:0.000}  {bytes,6:0.0} KB  {bytes,6:0.0} KB/f  {panBytes / 15.0 * 15 / 1024.0,7:0.0} KB/s  {times[times.Count / 2],6:0.00} ms/frame (CLI)"));
            var row = $"chafa {(truecolor ? "truecolor" : "256")} {label}";
            figures.Add(PhotoTable, row, "PSNR", psnr, "0.00", "dB");
            figures.Add(PhotoTable, row, "SSIM", ssim, "0.000");
            figures.Add(PhotoTable, row, "full frame", bytes, "0.0", "KB");
            figures.Add(PhotoTable, row, "still, with noise", bytes, "0.0", "KB/frame");
            figures.Add(PhotoTable, row, "pan 30 px/s", panBytes / 15.0 * 15 / 1024.0, "0", "KB/s");
            figures.Add(PhotoTable, row, "render + diff", times[times.Count / 2], "0.00", "ms (CLI)");
        }
    }

    private static void Chafa(Figures figures, string jpegPath)
    {
        if (!File.Exists("/usr/bin/chafa"))
        {
            Console.WriteLine("chafa: not installed (apt install chafa) - no anchor figure");
            figures.Note(Table, "chafa is not installed here (apt install chafa): no anchor figure.");
            return;
        }

        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < 11; i++)
        {
            var info = new ProcessStartInfo("chafa") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "--size", "160x48", "--symbols", "vhalf", "--colors", "full", "--animate", "off", jpegPath })
            {
                info.ArgumentList.Add(arg);
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            times.Add(clock.Elapsed.TotalMilliseconds);
            bytes = Encoding.UTF8.GetByteCount(output);
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chafa 160x48 half blocks truecolor (CLI, per frame): {times[times.Count / 2]:0.0} ms, {bytes / 1024.0:0.0} KB"));
        figures.Add(Table, "chafa half blocks truecolor (CLI, the anchor)", "per frame", times[times.Count / 2], "0.0", "ms");
        figures.Add(Table, "chafa half blocks truecolor (CLI, the anchor)", "full frame written", bytes / 1024.0, "0.0", "KB");
    }

    internal static Picture TestPicture(int width, int height, int frame, out string jpegPath)
    {
        var camera = new TestPatternCamera(width, height, TimeProvider.System);
        using var mat = new Mat();
        for (var i = 0; i <= frame % 200; i++)
        {
            camera.TryRead(mat);
        }

        jpegPath = Path.Combine(Path.GetTempPath(), $"s2cd-bench-{width}x{height}.jpg");
        if (frame == 0)
        {
            Cv2.ImWrite(jpegPath, mat);
        }

        return VideoReceiver.ToPicture(mat, 0, (uint)frame);
    }

    private static double Median(Action action, int batch)
    {
        for (var i = 0; i < batch; i++)
        {
            action();
        }

        var samples = new double[31];
        for (var s = 0; s < samples.Length; s++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < batch; i++)
            {
                action();
            }

            samples[s] = clock.Elapsed.TotalSeconds / batch;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    private static long Allocated(Action action, int count)
    {
        action();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / count;
    }
}
