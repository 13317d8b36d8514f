namespace S2cd.Audio;

/// <summary>A SpeexPreprocessState*, destroyed exactly once.</summary>
internal sealed class SpeexPreprocessHandle : NativeHandle
{
    protected override bool ReleaseHandle()
    {
        Interop.Speex.speex_preprocess_state_destroy(handle);
        return true;
    }
}
