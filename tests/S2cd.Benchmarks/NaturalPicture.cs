using System.Diagnostics;
using OpenCvSharp;
using S2cd.Render;
using S2cd.Tests.Support;
using S2cd.Video;

namespace S2cd.Benchmarks;

/// <summary>
/// A photograph as a camera would deliver it (640×480), put through the wire path (160×120 JPEG at the
/// default quality), and what a view or chafa makes of it, measured as placed: the cells are decoded back
/// into pixels (two per cell) and compared with the source scaled to the same grid (PSNR, SSIM).
/// </summary>
internal static class NaturalPicture
{
    /// <summary>Where Debian's python3-skimage keeps its public-domain NASA portrait.</summary>
    public const string Astronaut = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png";

    /// <summary>The photograph as a 640×480 camera frame (BGR), or null with the reason.</summary>
    public static Mat? Load(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path))
        {
            problem = $"{path} not found (apt install python3-skimage, or --picture FILE)";
            return null;
        }

        using var source = Cv2.ImRead(path, ImreadModes.Color);
        if (source.Empty())
        {
            problem = $"OpenCV cannot read {path}";
            return null;
        }

        var frame = new Mat();
        Cv2.Resize(source, frame, new Size(640, 480), interpolation: InterpolationFlags.Area);
        return frame;
    }

    /// <summary>
    /// Writes a video file (MJPG, 640×480, 15 frames/s) of the photograph panning slowly, 2 pixels a frame to the
    /// right and back (or, <paramref name="still"/>, not at all), for a daemon whose camera is that file.
    /// </summary>
    public static bool WritePan(string picture, string video, bool still, out string? problem)
    {
        using var frame = Load(picture, out problem);
        if (frame is null)
        {
            return false;
        }

        using var wide = new Mat();
        Cv2.Resize(frame, wide, new Size(800, 600), interpolation: InterpolationFlags.Linear);
        using var writer = new VideoWriter(video, FourCC.MJPG, 15, new Size(640, 480));
        for (var i = 0; i < 160; i++)
        {
            using var window = Pan(wide, still ? 80 : i < 80 ? 2 * i : 2 * (160 - i));
            writer.Write(window);
        }

        return true;
    }

    /// <summary>A 640×480 window of a larger picture, <paramref name="shift"/> pixels from its left: a slow pan.</summary>
    public static Mat Pan(Mat wide, int shift) => new(wide, new Rect(shift, (wide.Height - 480) / 2, 640, 480));

    /// <summary>What the other side receives of a camera frame: 160×120 at JPEG quality 70, as the daemon sends it.</summary>
    public static Picture Wire(Mat frame, uint sequence)
    {
        using var small = new Mat();
        Cv2.Resize(frame, small, new Size(160, 120), interpolation: InterpolationFlags.Area);
        Cv2.ImEncode(".jpg", small, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 70));
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
        return VideoReceiver.ToPicture(decoded, 0, sequence);
    }

    /// <summary>The rectangle of a screen's picture cells.</summary>
    public static Rect PictureCells(Screen screen)
    {
        int left = screen.Cols, top = screen.Rows, right = -1, bottom = -1;
        for (var row = 0; row < screen.Rows; row++)
        {
            for (var col = 0; col < screen.Cols; col++)
            {
                if (screen.At(col, row).Picture)
                {
                    left = Math.Min(left, col);
                    top = Math.Min(top, row);
                    right = Math.Max(right, col);
                    bottom = Math.Max(bottom, row);
                }
            }
        }

        return right < 0 ? default : new Rect(left, top, right - left + 1, bottom - top + 1);
    }

    /// <summary>PSNR (dB, over R, G and B) and SSIM (mean of the three channels) of what a terminal shows in <paramref name="cells"/> against the source.</summary>
    public static (double Psnr, double Ssim) Quality(Mat source, TerminalPicture shown, Rect cells)
    {
        using var reference = new Mat();
        Cv2.Resize(source, reference, new Size(cells.Width, cells.Height * 2), interpolation: InterpolationFlags.Area);
        var rgb = shown.Rgb(cells.X, cells.Y, cells.Width, cells.Height);
        using var placedRgb = Mat.FromPixelData(cells.Height * 2, cells.Width, MatType.CV_8UC3, rgb);
        using var placed = new Mat();
        Cv2.CvtColor(placedRgb, placed, ColorConversionCodes.RGB2BGR);
        return (Cv2.PSNR(reference, placed), Ssim(reference, placed));
    }

    /// <summary>chafa's rendering of a frame into <paramref name="cols"/> × <paramref name="rows"/> half-block cells; null when chafa is not installed.</summary>
    public static (string Output, double Milliseconds)? Chafa(Mat frame, int cols, int rows, bool truecolor)
    {
        if (!File.Exists("/usr/bin/chafa"))
        {
            return null;
        }

        var path = Path.Combine(Path.GetTempPath(), $"s2cd-bench-natural-{Environment.ProcessId}.png");
        Cv2.ImWrite(path, frame);
        try
        {
            var info = new ProcessStartInfo("chafa") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "--size", $"{cols}x{rows}", "--stretch", "--symbols", "vhalf", "--colors", truecolor ? "full" : "256", "--animate", "off", "--polite", "on", path })
            {
                info.ArgumentList.Add(arg);
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (output, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Structural similarity (Wang et al. 2004: 11×11 Gaussian window, σ 1.5), the mean over the channels.</summary>
    private static double Ssim(Mat a, Mat b)
    {
        const double c1 = 6.5025, c2 = 58.5225;
        var x = Doubles(a);
        var y = Doubles(b);
        var mx = Blur(x, a);
        var my = Blur(y, a);
        var sxx = Blur(Product(x, x), a);
        var syy = Blur(Product(y, y), a);
        var sxy = Blur(Product(x, y), a);
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var vx = sxx[i] - (mx[i] * mx[i]);
            var vy = syy[i] - (my[i] * my[i]);
            var cov = sxy[i] - (mx[i] * my[i]);
            sum += ((2 * mx[i] * my[i]) + c1) * ((2 * cov) + c2) / (((mx[i] * mx[i]) + (my[i] * my[i]) + c1) * (vx + vy + c2));
        }

        return sum / x.Length;
    }

    private static double[] Doubles(Mat image)
    {
        image.GetArray(out Vec3b[] pixels);
        var values = new double[pixels.Length * 3];
        for (var i = 0; i < pixels.Length; i++)
        {
            values[3 * i] = pixels[i].Item0;
            values[(3 * i) + 1] = pixels[i].Item1;
            values[(3 * i) + 2] = pixels[i].Item2;
        }

        return values;
    }

    private static double[] Product(double[] a, double[] b) => [.. a.Select((v, i) => v * b[i])];

    private static double[] Blur(double[] values, Mat shape)
    {
        using var source = Mat.FromPixelData(shape.Rows, shape.Cols, MatType.CV_64FC3, values);
        using var blurred = new Mat();
        Cv2.GaussianBlur(source, blurred, new Size(11, 11), 1.5);
        blurred.GetArray(out Vec3d[] pixels);
        return [.. pixels.SelectMany(p => new[] { p.Item0, p.Item1, p.Item2 })];
    }
}
