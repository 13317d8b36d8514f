using S2cd.Audio;
using S2cd.Contract;
using S2cd.Video;

namespace S2cd.Control;

/// <summary>Lists what the daemon could use: V4L2 cameras from /dev, and ALSA's PCMs from snd_device_name_hint.</summary>
internal static class DeviceCatalog
{
    public static DevicesResult List(VideoOptions video, AudioOptions audio)
    {
        var cameras = new List<DeviceInfo> { new() { Name = "testpattern", Description = "synthetic moving picture with a clock" } };
        foreach (var path in Directory.Exists("/dev") ? Directory.GetFiles("/dev", "video*").Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
        {
            var name = Path.GetFileName(path);
            var label = ReadFirstLine($"/sys/class/video4linux/{name}/name");
            cameras.Add(new DeviceInfo { Name = path, Description = label ?? "V4L2 device" });
        }

        var capture = new List<DeviceInfo>();
        var playback = new List<DeviceInfo>();
        try
        {
            foreach (var (name, description, canCapture, canPlay) in AlsaDevices.List())
            {
                var info = new DeviceInfo { Name = name, Description = description };
                if (canCapture)
                {
                    capture.Add(info);
                }

                if (canPlay)
                {
                    playback.Add(info);
                }
            }
        }
        catch (DllNotFoundException)
        {
            // No alsa-lib: nothing to list; status says why audio is unavailable.
        }

        return new DevicesResult
        {
            Cameras = cameras,
            Capture = capture,
            Playback = playback,
            Configured = [video.Camera, audio.CaptureDevice, audio.PlaybackDevice],
        };
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
