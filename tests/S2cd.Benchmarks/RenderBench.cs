using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenCvSharp;
using S2cd.Render;
using S2cd.Video;

namespace S2cd.Benchmarks;

/// <summary>
/// Rendering figures: a 640×480 test-pattern picture into 160×48 cells in each mode (time per frame,
/// bytes allocated per frame, bytes of a full frame), the bytes per second a view writes for the moving
/// test pattern at 120×40, and chafa on the same picture when it is installed (the anchor).
/// </summary>
internal static class RenderBench
{
    public static int Run(string[] args)
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
        }

        var lumaTime = Median(() => _ = new Picture(640, 480, picture.Rgb, 0, 1), 20);
        Console.WriteLine(string.Create(inv, $"  (once per received picture, shared by all views: RGB->luma of 640x480 {lumaTime * 1000:0.000} ms; 160x120 wire pictures are 1/16 of that)"));

        ViewBytes(120, 40, "ascii", new RenderOptions { Mode = RenderMode.Ascii });
        ViewBytes(120, 40, "blocks truecolor", new RenderOptions { Mode = RenderMode.Blocks });
        Chafa(jpegPath);
        return 0;
    }

    /// <summary>Bytes a view writes per second for the moving test pattern at 15 fps, one participant (diffs after the first frame).</summary>
    private static void ViewBytes(int cols, int rows, string name, RenderOptions options)
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
    }

    private static void Chafa(string jpegPath)
    {
        if (!File.Exists("/usr/bin/chafa"))
        {
            Console.WriteLine("chafa: not installed (apt install chafa) - no anchor figure");
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
