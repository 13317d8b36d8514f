using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using S2cd.Contract;
using S2cd.Conference;
using S2cd.Platform;
using S2cd.Wire;

namespace S2cd.Video;

/// <summary>
/// Runs the camera while it is wanted (in a session with the camera on, or while someone previews):
/// captures at <see cref="VideoOptions.Fps"/>, keeps a mirrored self picture for our own view, and
/// sends a downscaled JPEG to the session. A missing or failing camera is reported and retried every
/// <see cref="VideoOptions.RetrySeconds"/>: whatever it throws, OpenCV's library failing to load included
/// (a missing libgtk-3), becomes one line in status and the view, and nothing else stops because of it.
/// </summary>
internal sealed partial class CameraService(
    IOptions<VideoOptions> options,
    ConferenceLink link,
    PictureStore pictures,
    TimeProvider time,
    LoopHealth health,
    ILogger<CameraService> logger) : SupervisedService("camera", health, time, logger)
{
    private readonly VideoOptions _options = options.Value;
    private readonly LoopHealth.Loop _loop = health.Register("camera");
    private readonly ILogger<CameraService> _logger = logger;
    private uint _sequence;

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!link.WantsCamera)
            {
                link.Devices.SetCamera(DeviceStatus.Off);
                pictures.SetSelf(null);
                _loop.Wait();
                await link.WaitForCameraDemandAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                // Opening a camera may block in the driver; a camera that never answers shows in the watchdog.
                _loop.Beat();
                using var source = OpenSource();
                link.Devices.SetCamera(DeviceStatus.On(source.Description));
                LogCameraOpened(source.Description);
                await CaptureAsync(source, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var reason = ex is CameraException ? ex.Message : NativeLibraryProblem.Describe(ex, "OpenCV");
                link.Devices.SetCamera(DeviceStatus.Unavailable(reason, TimeSpan.FromSeconds(_options.RetrySeconds)));
                pictures.SetSelf(null);
                LogCameraUnavailable(reason);
                _loop.Wait();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(_options.RetrySeconds), Time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private ICameraSource OpenSource()
    {
        // Every source, the test pattern too, works in OpenCV's pictures: load its library first, where a
        // failure can be retried (a type that failed to load it would stay broken until the daemon restarts).
        if (!NativeDependency.OpenCv.TryEnsureLoaded(out var problem))
        {
            throw new CameraException(problem!);
        }

        try
        {
            return _options.Camera == "testpattern"
                ? new TestPatternCamera(_options.Width, _options.Height, Time)
                : OpenCvCamera.Open(_options.Camera, _options);
        }
        catch (OpenCVException ex)
        {
            // A library that does not load is not turned into a camera problem here: the caller names its package.
            throw new CameraException($"OpenCV cannot open {_options.Camera}: {ex.Message}");
        }
    }

    private async Task CaptureAsync(ICameraSource source, CancellationToken cancellationToken)
    {
        using var frame = new Mat();
        using var small = new Mat();
        using var mirrored = new Mat();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _options.Fps), Time);
        var encoding = new ImageEncodingParam(ImwriteFlags.JpegQuality, _options.JpegQuality);
        while (link.WantsCamera && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            _loop.Beat();
            if (!source.TryRead(frame))
            {
                throw new CameraException($"{source.Description} stopped delivering pictures");
            }

            var capturedAt = UnixTime.Microseconds(Time);
            var (width, height) = WireSize(frame.Width, frame.Height);
            Cv2.Resize(frame, small, new Size(width, height), interpolation: InterpolationFlags.Area);
            _sequence++;

            // One's own picture is shown mirrored, as a mirror would.
            Cv2.Flip(small, mirrored, FlipMode.Y);
            pictures.SetSelf(VideoReceiver.ToPicture(mirrored, capturedAt, _sequence));

            if (link.SendsVideo)
            {
                Cv2.ImEncode(".jpg", small, out var jpeg, encoding);
                Send(new VideoFrameHeader(_sequence, capturedAt, (ushort)width, (ushort)height), jpeg);
            }
        }
    }

    private void Send(VideoFrameHeader header, byte[] jpeg)
    {
        var length = VideoFrameHeader.Size + jpeg.Length;
        var payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            header.Write(payload);
            jpeg.CopyTo(payload.AsSpan(VideoFrameHeader.Size));
            link.SendMedia(MediaKind.Video, payload.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>The size sent: within WireWidth × WireHeight, the camera's aspect kept, even numbers.</summary>
    internal (int Width, int Height) WireSize(int width, int height)
    {
        var scale = Math.Min(1.0, Math.Min(_options.WireWidth / (double)width, _options.WireHeight / (double)height));
        return (Math.Max(2, (int)(width * scale) & ~1), Math.Max(2, (int)(height * scale) & ~1));
    }

    [LoggerMessage(EventId = LogEvents.CameraOpened, Level = LogLevel.Information, Message = "Camera on: {Description}")]
    private partial void LogCameraOpened(string description);

    [LoggerMessage(EventId = LogEvents.CameraUnavailable, Level = LogLevel.Warning, Message = "Camera unavailable: {Reason}")]
    private partial void LogCameraUnavailable(string reason);
}
