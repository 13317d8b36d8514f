using System.Globalization;
using OpenCvSharp;

namespace S2cd.Video;

/// <summary>A V4L2 device or a video file through OpenCV's VideoCapture. Files loop at their end.</summary>
internal sealed class OpenCvCamera : ICameraSource
{
    private readonly VideoCapture _capture;
    private readonly bool _isFile;

    private OpenCvCamera(VideoCapture capture, string description, bool isFile)
    {
        _capture = capture;
        Description = description;
        _isFile = isFile;
    }

    public string Description { get; }

    public static OpenCvCamera Open(string spec, VideoOptions options)
    {
        VideoCapture capture;
        bool isFile;
        if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            capture = new VideoCapture(index, VideoCaptureAPIs.V4L2);
            isFile = false;
        }
        else if (spec.StartsWith("/dev/video", StringComparison.Ordinal))
        {
            if (!File.Exists(spec))
            {
                throw new CameraException($"{spec} does not exist");
            }

            capture = new VideoCapture(spec, VideoCaptureAPIs.V4L2);
            isFile = false;
        }
        else
        {
            if (!File.Exists(spec))
            {
                throw new CameraException($"video file {spec} does not exist");
            }

            capture = new VideoCapture(spec, VideoCaptureAPIs.FFMPEG);
            isFile = true;
        }

        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new CameraException($"cannot open {spec}");
        }

        if (!isFile)
        {
            capture.Set(VideoCaptureProperties.FrameWidth, options.Width);
            capture.Set(VideoCaptureProperties.FrameHeight, options.Height);
            capture.Set(VideoCaptureProperties.Fps, options.Fps);
        }

        return new OpenCvCamera(capture, isFile ? $"file {spec}" : $"camera {spec}", isFile);
    }

    public bool TryRead(Mat frame)
    {
        if (_capture.Read(frame) && !frame.Empty())
        {
            return true;
        }

        if (!_isFile)
        {
            return false;
        }

        // End of the file: start again.
        _capture.Set(VideoCaptureProperties.PosFrames, 0);
        return _capture.Read(frame) && !frame.Empty();
    }

    public void Dispose() => _capture.Dispose();
}
