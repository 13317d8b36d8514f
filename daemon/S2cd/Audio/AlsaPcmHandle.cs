using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>An open ALSA PCM (snd_pcm_t*), closed exactly once.</summary>
internal sealed class AlsaPcmHandle : SafeHandle
{
    public AlsaPcmHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal void Set(nint pcm) => SetHandle(pcm);

    protected override bool ReleaseHandle() => Interop.Alsa.snd_pcm_close(handle) == 0;
}
