namespace S2cd.Audio;

/// <summary>An Opus decoder for one sender, with loss concealment and in-band FEC recovery.</summary>
internal sealed class OpusDecoder : IDisposable
{
    private readonly OpusDecoderHandle _handle = new();

    public OpusDecoder(int sampleRate)
    {
        var decoder = Interop.Opus.opus_decoder_create(sampleRate, 1, out var error);
        OpusException.Check(error, "opus_decoder_create");
        _handle.Set(decoder);
    }

    /// <summary>How many samples at 48 kHz <paramref name="packet"/> holds, or a negative Opus error for one that is not valid.</summary>
    public static unsafe int Samples(ReadOnlySpan<byte> packet)
    {
        fixed (byte* data = packet)
        {
            return Interop.Opus.opus_packet_get_nb_samples(data, packet.Length, AudioOptions.SampleRate);
        }
    }

    /// <summary>Decodes a packet into <paramref name="samples"/>; returns samples written, or a negative Opus error for a corrupt packet.</summary>
    public unsafe int Decode(ReadOnlySpan<byte> packet, Span<short> samples)
    {
        fixed (byte* data = packet)
        fixed (short* pcm = samples)
        {
            return Interop.Opus.opus_decode(_handle, data, packet.Length, pcm, samples.Length, 0);
        }
    }

    /// <summary>Recovers the frame before <paramref name="next"/> from the FEC data that <paramref name="next"/> carries.</summary>
    public unsafe int DecodeFec(ReadOnlySpan<byte> next, Span<short> samples)
    {
        fixed (byte* data = next)
        fixed (short* pcm = samples)
        {
            return Interop.Opus.opus_decode(_handle, data, next.Length, pcm, samples.Length, 1);
        }
    }

    /// <summary>Packet-loss concealment: a plausible continuation of what came before.</summary>
    public unsafe int Conceal(Span<short> samples)
    {
        fixed (short* pcm = samples)
        {
            return Interop.Opus.opus_decode(_handle, null, 0, pcm, samples.Length, 0);
        }
    }

    public void Dispose() => _handle.Dispose();
}
