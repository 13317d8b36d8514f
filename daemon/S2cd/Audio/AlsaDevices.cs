using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>The PCM devices alsa-lib knows (snd_device_name_hint), for s2c-attach devices.</summary>
internal static class AlsaDevices
{
    public static IReadOnlyList<(string Name, string Description, bool Capture, bool Playback)> List()
    {
        var devices = new List<(string, string, bool, bool)>();
        if (Interop.Alsa.snd_device_name_hint(-1, "pcm", out var hints) < 0)
        {
            return devices;
        }

        try
        {
            for (var i = 0; ; i++)
            {
                var hint = Marshal.ReadIntPtr(hints, i * IntPtr.Size);
                if (hint == IntPtr.Zero)
                {
                    break;
                }

                var name = Take(Interop.Alsa.snd_device_name_get_hint(hint, "NAME"));
                if (name is null)
                {
                    continue;
                }

                var description = (Take(Interop.Alsa.snd_device_name_get_hint(hint, "DESC")) ?? string.Empty).ReplaceLineEndings(" ");

                // IOID is null for devices that do both directions.
                var io = Take(Interop.Alsa.snd_device_name_get_hint(hint, "IOID"));
                devices.Add((name, description, io is null or "Input", io is null or "Output"));
            }
        }
        finally
        {
            _ = Interop.Alsa.snd_device_name_free_hint(hints);
        }

        return devices;
    }

    private static string? Take(nint text)
    {
        if (text == IntPtr.Zero)
        {
            return null;
        }

        var value = Marshal.PtrToStringUTF8(text);
        Interop.Libc.free(text);
        return value;
    }
}
