namespace S2cd.Audio;

/// <summary>An OpusDecoder*, destroyed exactly once.</summary>
internal sealed class OpusDecoderHandle : NativeHandle
{
    protected override bool ReleaseHandle()
    {
        Interop.Opus.opus_decoder_destroy(handle);
        return true;
    }
}
