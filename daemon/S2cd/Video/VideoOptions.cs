namespace S2cd.Video;

/// <summary>Settings of the camera (configuration section <c>Video</c>).</summary>
internal sealed class VideoOptions
{
    public const string Section = "Video";

    /// <summary><c>testpattern</c>, a V4L2 device index or path, or a video file.</summary>
    public string Camera { get; set; } = "testpattern";
}
