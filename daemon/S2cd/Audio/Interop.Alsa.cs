using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>alsa-lib, loaded by soname (the unversioned libasound.so is only in the -dev package).</summary>
internal static partial class Interop
{
    internal static partial class Alsa
    {
        private const string Library = "libasound.so.2";

        internal const int SND_PCM_STREAM_PLAYBACK = 0;
        internal const int SND_PCM_STREAM_CAPTURE = 1;
        internal const int SND_PCM_ACCESS_RW_INTERLEAVED = 3;
        internal const int SND_PCM_FORMAT_S16_LE = 2;

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int snd_pcm_open(out nint pcm, string name, int stream, int mode);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_close(nint pcm);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_malloc(out nint ptr);

        [LibraryImport(Library)]
        internal static partial void snd_pcm_hw_params_free(nint ptr);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_any(AlsaPcmHandle pcm, nint parameters);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_set_access(AlsaPcmHandle pcm, nint parameters, int access);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_set_format(AlsaPcmHandle pcm, nint parameters, int format);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_set_channels(AlsaPcmHandle pcm, nint parameters, uint channels);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_set_rate_near(AlsaPcmHandle pcm, nint parameters, ref uint rate, ref int dir);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_set_period_size_near(AlsaPcmHandle pcm, nint parameters, ref nuint frames, ref int dir);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params_set_buffer_size_near(AlsaPcmHandle pcm, nint parameters, ref nuint frames);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_hw_params(AlsaPcmHandle pcm, nint parameters);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_sw_params_malloc(out nint ptr);

        [LibraryImport(Library)]
        internal static partial void snd_pcm_sw_params_free(nint ptr);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_sw_params_current(AlsaPcmHandle pcm, nint parameters);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_sw_params_set_start_threshold(AlsaPcmHandle pcm, nint parameters, nuint frames);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_sw_params_set_avail_min(AlsaPcmHandle pcm, nint parameters, nuint frames);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_sw_params(AlsaPcmHandle pcm, nint parameters);

        [LibraryImport(Library)]
        internal static unsafe partial nint snd_pcm_readi(AlsaPcmHandle pcm, void* buffer, nuint frames);

        [LibraryImport(Library)]
        internal static unsafe partial nint snd_pcm_writei(AlsaPcmHandle pcm, void* buffer, nuint frames);

        [LibraryImport(Library)]
        internal static partial nint snd_pcm_avail_update(AlsaPcmHandle pcm);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_delay(AlsaPcmHandle pcm, out nint frames);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_recover(AlsaPcmHandle pcm, int error, int silent);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_prepare(AlsaPcmHandle pcm);

        [LibraryImport(Library)]
        internal static partial int snd_pcm_drop(AlsaPcmHandle pcm);

        [LibraryImport(Library)]
        internal static partial nint snd_strerror(int error);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int snd_device_name_hint(int card, string iface, out nint hints);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint snd_device_name_get_hint(nint hint, string id);

        [LibraryImport(Library)]
        internal static partial int snd_device_name_free_hint(nint hints);
    }

    internal static partial class Libc
    {
        [LibraryImport("libc")]
        internal static partial void free(nint ptr);
    }
}
