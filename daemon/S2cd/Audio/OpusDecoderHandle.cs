using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>An OpusDecoder*, destroyed exactly once.</summary>
internal sealed class OpusDecoderHandle : SafeHandle
{
    public OpusDecoderHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal void Set(nint decoder) => SetHandle(decoder);

    protected override bool ReleaseHandle()
    {
        Interop.Opus.opus_decoder_destroy(handle);
        return true;
    }
}
