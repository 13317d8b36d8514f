using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>An OpusEncoder*, destroyed exactly once.</summary>
internal sealed class OpusEncoderHandle : SafeHandle
{
    public OpusEncoderHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal void Set(nint encoder) => SetHandle(encoder);

    protected override bool ReleaseHandle()
    {
        Interop.Opus.opus_encoder_destroy(handle);
        return true;
    }
}
