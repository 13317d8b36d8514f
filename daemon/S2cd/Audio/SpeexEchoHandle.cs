namespace S2cd.Audio;

/// <summary>A SpeexEchoState*, destroyed exactly once.</summary>
internal sealed class SpeexEchoHandle : NativeHandle
{
    protected override bool ReleaseHandle()
    {
        Interop.Speex.speex_echo_state_destroy(handle);
        return true;
    }
}
