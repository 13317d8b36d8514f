namespace S2cd.Audio;

/// <summary>An OpusEncoder*, destroyed exactly once.</summary>
internal sealed class OpusEncoderHandle : NativeHandle
{
    protected override bool ReleaseHandle()
    {
        Interop.Opus.opus_encoder_destroy(handle);
        return true;
    }
}
