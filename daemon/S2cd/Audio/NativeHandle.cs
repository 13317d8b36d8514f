using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>
/// A pointer a native library gave us (ALSA, Opus, speexdsp), released exactly once by the subclass's
/// <see cref="SafeHandle.ReleaseHandle"/>; zero is no handle.
/// </summary>
internal abstract class NativeHandle : SafeHandle
{
    protected NativeHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal void Set(nint value) => SetHandle(value);
}
