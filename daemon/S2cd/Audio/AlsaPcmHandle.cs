namespace S2cd.Audio;

/// <summary>An open ALSA PCM (snd_pcm_t*), closed exactly once.</summary>
internal sealed class AlsaPcmHandle : NativeHandle
{
    protected override bool ReleaseHandle() => Interop.Alsa.snd_pcm_close(handle) == 0;
}
