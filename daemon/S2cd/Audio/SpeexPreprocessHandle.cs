using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>A SpeexPreprocessState*, destroyed exactly once.</summary>
internal sealed class SpeexPreprocessHandle : SafeHandle
{
    public SpeexPreprocessHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal void Set(nint state) => SetHandle(state);

    protected override bool ReleaseHandle()
    {
        Interop.Speex.speex_preprocess_state_destroy(handle);
        return true;
    }
}
