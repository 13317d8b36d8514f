using OpenCvSharp;

namespace S2cd.Tests.Support;

/// <summary>Video files made with OpenCV's VideoWriter, for daemons whose camera is a file.</summary>
internal static class TestVideo
{
    /// <summary>
    /// Writes an MJPG AVI of two phases, each <paramref name="framesPerPhase"/> frames: white on the left
    /// half, then white on the top half; the rest black. Looped by the daemon, the picture changes every phase.
    /// </summary>
    public static string HalvesThatTurn(string path, int framesPerPhase = 30)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, 15, new Size(320, 240));
        if (!writer.IsOpened())
        {
            throw new InvalidOperationException("OpenCV cannot write " + path);
        }

        using var frame = new Mat(240, 320, MatType.CV_8UC3);
        for (var phase = 0; phase < 2; phase++)
        {
            for (var i = 0; i < framesPerPhase; i++)
            {
                frame.SetTo(Scalar.Black);
                frame.Rectangle(phase == 0 ? new Rect(0, 0, 160, 240) : new Rect(0, 0, 320, 120), Scalar.White, -1);
                writer.Write(frame);
            }
        }

        return path;
    }

    /// <summary>Writes an MJPG AVI of vertical stripes, 8 of them, alternating white and black.</summary>
    public static string Stripes(string path, int frames = 30)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, 15, new Size(320, 240));
        using var frame = new Mat(240, 320, MatType.CV_8UC3);
        for (var i = 0; i < frames; i++)
        {
            frame.SetTo(Scalar.Black);
            for (var s = 0; s < 8; s += 2)
            {
                frame.Rectangle(new Rect(s * 40, 0, 40, 240), Scalar.White, -1);
            }

            writer.Write(frame);
        }

        return path;
    }

    /// <summary>
    /// Writes an MJPG AVI of a photograph-like picture (smooth shading, detail at several scales, every pixel a
    /// different colour) drifting 4 pixels a frame to the right for <paramref name="frames"/> frames.
    /// </summary>
    public static string Drifting(string path, int frames = 60)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, 15, new Size(320, 240));
        var pixels = new byte[240 * 320 * 3];
        for (var i = 0; i < frames; i++)
        {
            for (var y = 0; y < 240; y++)
            {
                for (var x = 0; x < 320; x++)
                {
                    var u = x + (4 * i);
                    var v = 128 + (60 * Math.Sin(u / 17.0)) + (40 * Math.Cos(y / 13.0)) + (20 * Math.Sin((u + y) / 5.0));
                    var p = ((y * 320) + x) * 3;
                    pixels[p] = (byte)Math.Clamp(64 + (u % 320 * 128 / 320), 0, 255);
                    pixels[p + 1] = (byte)Math.Clamp(v, 0, 255);
                    pixels[p + 2] = (byte)Math.Clamp(255 - v, 0, 255);
                }
            }

            using var frame = Mat.FromPixelData(240, 320, MatType.CV_8UC3, pixels);
            writer.Write(frame);
        }

        return path;
    }
}
