using System.Globalization;
using OpenCvSharp;

namespace S2cd.Video;

/// <summary>
/// A synthetic camera for machines without one: moving colour bars, a bouncing ball and a running
/// clock, so that a viewer sees at a glance that pictures are live and how old they are.
/// </summary>
internal sealed class TestPatternCamera(int width, int height, TimeProvider time) : ICameraSource
{
    private static readonly Scalar[] Bars =
    [
        new(255, 255, 255), new(0, 255, 255), new(255, 255, 0), new(0, 255, 0),
        new(255, 0, 255), new(0, 0, 255), new(255, 0, 0), new(40, 40, 40),
    ];

    private long _frame;

    public string Description => "testpattern";

    public bool TryRead(Mat frame)
    {
        frame.Create(height, width, MatType.CV_8UC3);
        var n = _frame++;
        var barWidth = width / Bars.Length;
        var shift = (int)(n * 4 % width);
        for (var i = 0; i < Bars.Length + 1; i++)
        {
            var x = (i * barWidth) - shift;
            x = ((x % width) + width) % width;
            frame.Rectangle(new Rect(x, 0, barWidth, height * 2 / 3), Bars[i % Bars.Length], -1);
        }

        frame.Rectangle(new Rect(0, height * 2 / 3, width, height - (height * 2 / 3)), new Scalar(20, 20, 20), -1);
        var span = width - (height / 4);
        var bx = (int)(n * 6 % (2 * span));
        bx = bx > span ? (2 * span) - bx : bx;
        frame.Circle(new Point(bx + (height / 8), height / 3), height / 8, new Scalar(0, 0, 0), -1);
        var clock = time.GetLocalNow().ToString("HH:mm:ss.f", CultureInfo.InvariantCulture);
        frame.PutText(clock, new Point(width / 20, height * 19 / 20), HersheyFonts.HersheySimplex, height / 160.0, Scalar.White, Math.Max(1, height / 120));
        return true;
    }

    public void Dispose()
    {
    }
}
