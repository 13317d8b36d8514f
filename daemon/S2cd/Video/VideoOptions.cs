using S2cd.Configuration;

namespace S2cd.Video;

/// <summary>Settings of the camera and the video sent (configuration section <c>Video</c>).</summary>
internal sealed class VideoOptions
{
    public const string Section = "Video";

    /// <summary><c>testpattern</c>, a V4L2 device index or path (/dev/videoN), or a video file (looped).</summary>
    public string Camera { get; set; } = "testpattern";

    /// <summary>Capture width asked of the camera.</summary>
    [InRange(16, 4096)]
    public int Width { get; set; } = 640;

    /// <summary>Capture height asked of the camera.</summary>
    [InRange(16, 4096)]
    public int Height { get; set; } = 480;

    /// <summary>Frames per second captured and sent.</summary>
    [InRange(1, 60)]
    public int Fps { get; set; } = 15;

    /// <summary>Largest width of the picture sent; the aspect is kept.</summary>
    [InRange(16, VideoReceiver.MaxWidth)]
    public int WireWidth { get; set; } = 160;

    /// <summary>Largest height of the picture sent; the aspect is kept.</summary>
    [InRange(16, VideoReceiver.MaxHeight)]
    public int WireHeight { get; set; } = 120;

    /// <summary>JPEG quality of the picture sent, 1–100.</summary>
    [InRange(1, 100)]
    public int JpegQuality { get; set; } = 70;

    /// <summary>Seconds between attempts to open a camera that is missing or failed.</summary>
    [InRange(0.5, 300)]
    public double RetrySeconds { get; set; } = 3;
}
