using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>A SpeexEchoState*, destroyed exactly once.</summary>
internal sealed class SpeexEchoHandle : SafeHandle
{
    public SpeexEchoHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal void Set(nint state) => SetHandle(state);

    protected override bool ReleaseHandle()
    {
        Interop.Speex.speex_echo_state_destroy(handle);
        return true;
    }
}
