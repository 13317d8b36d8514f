using System.Buffers;
using OpenCvSharp;
using S2cd.Platform;

namespace S2cd.Video;

/// <summary>
/// Turns video payloads from other members into pictures: checks the header, decodes the JPEG with
/// OpenCV, and keeps the result as that member's latest picture. A payload that is short, of another
/// version, of an impossible size, or that does not decode is dropped and counted. Without OpenCV (its library
/// does not load, or a call throws) pictures are dropped and <see cref="Problem"/> says why; the call goes on.
/// </summary>
internal sealed class VideoReceiver(PictureStore store)
{
    public const int MaxWidth = 1280;
    public const int MaxHeight = 960;
    private long _rejected;
    private volatile string? _problem;

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Why pictures from others cannot be decoded, in one line, or null while they can.</summary>
    public string? Problem => _problem;

    public void OnVideo(uint sender, ReadOnlySequence<byte> payload)
    {
        var length = (int)payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(buffer);
            var span = buffer.AsSpan(0, length);
            if (VideoFrameHeader.TryRead(span, MaxWidth, MaxHeight) is not { } header)
            {
                Interlocked.Increment(ref _rejected);
                return;
            }

            if (!NativeDependency.OpenCv.TryEnsureLoaded(out var missing))
            {
                _problem = missing;
                Interlocked.Increment(ref _rejected);
                return;
            }

            Picture? picture;
            try
            {
                picture = Decode(span[VideoFrameHeader.Size..], header);
                _problem = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // OpenCV loaded but a call into it failed in a way a bad picture does not explain.
                _problem = NativeLibraryProblem.Describe(ex, NativeDependency.OpenCv.Component);
                picture = null;
            }

            if (picture is null)
            {
                Interlocked.Increment(ref _rejected);
                return;
            }

            store.Set(sender, picture);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static Picture? Decode(ReadOnlySpan<byte> jpeg, VideoFrameHeader header)
    {
        try
        {
            using var bgr = Cv2.ImDecode(jpeg, ImreadModes.Color);
            if (bgr.Empty() || bgr.Width != header.Width || bgr.Height != header.Height || bgr.Type() != MatType.CV_8UC3)
            {
                return null;
            }

            return ToPicture(bgr, header.CapturedAt, header.Sequence);
        }
        catch (OpenCVException)
        {
            return null;
        }
    }

    /// <summary>Copies a BGR picture into a new RGB <see cref="Picture"/>.</summary>
    internal static unsafe Picture ToPicture(Mat bgr, long capturedAt, uint sequence)
    {
        var width = bgr.Width;
        var height = bgr.Height;
        var rgb = new byte[width * height * 3];
        fixed (byte* pixels = rgb)
        {
            // OpenCV writes straight into the managed array: no intermediate copy.
            using var converted = Mat.FromPixelData(height, width, MatType.CV_8UC3, (IntPtr)pixels);
            Cv2.CvtColor(bgr, converted, ColorConversionCodes.BGR2RGB);
        }

        return new Picture(width, height, rgb, capturedAt, sequence);
    }
}
