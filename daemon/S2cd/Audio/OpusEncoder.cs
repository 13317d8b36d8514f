namespace S2cd.Audio;

/// <summary>
/// Opus for speech: VoIP application, constant bitrate (free VBR would let packet sizes leak what is
/// said through the encryption), in-band FEC on, tuned for some packet loss.
/// </summary>
internal sealed class OpusEncoder : IDisposable
{
    private readonly OpusEncoderHandle _handle = new();

    public OpusEncoder(int sampleRate, int bitrate, int expectedLossPercent)
    {
        var encoder = Interop.Opus.opus_encoder_create(sampleRate, 1, Interop.Opus.OPUS_APPLICATION_VOIP, out var error);
        OpusException.Check(error, "opus_encoder_create");
        _handle.Set(encoder);
        Ctl(Interop.Opus.OPUS_SET_BITRATE_REQUEST, bitrate, "bitrate");
        Ctl(Interop.Opus.OPUS_SET_VBR_REQUEST, 0, "constant bitrate");
        Ctl(Interop.Opus.OPUS_SET_INBAND_FEC_REQUEST, 1, "in-band FEC");
        Ctl(Interop.Opus.OPUS_SET_PACKET_LOSS_PERC_REQUEST, expectedLossPercent, "expected loss");
        Ctl(Interop.Opus.OPUS_SET_SIGNAL_REQUEST, Interop.Opus.OPUS_SIGNAL_VOICE, "voice signal");
        Ctl(Interop.Opus.OPUS_SET_COMPLEXITY_REQUEST, 5, "complexity");
    }

    /// <summary>Encodes one frame of samples into <paramref name="packet"/>; returns the packet length.</summary>
    public unsafe int Encode(ReadOnlySpan<short> samples, Span<byte> packet)
    {
        fixed (short* pcm = samples)
        fixed (byte* data = packet)
        {
            return OpusException.Check(Interop.Opus.opus_encode(_handle, pcm, samples.Length, data, packet.Length), "opus_encode");
        }
    }

    public void Dispose() => _handle.Dispose();

    private void Ctl(int request, int value, string what) => OpusException.Check(Interop.Opus.opus_encoder_ctl(_handle, request, value), $"opus_encoder_ctl({what})");
}
