using OpenCvSharp;

namespace S2cd.Video;

/// <summary>Where pictures come from: a V4L2 device, a video file, or the test pattern.</summary>
internal interface ICameraSource : IDisposable
{
    /// <summary>What the source is, for status and logs.</summary>
    string Description { get; }

    /// <summary>Reads the next picture (BGR) into <paramref name="frame"/>; false when the source failed.</summary>
    bool TryRead(Mat frame);
}
