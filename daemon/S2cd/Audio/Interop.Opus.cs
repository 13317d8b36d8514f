using System.Runtime.InteropServices;

namespace S2cd.Audio;

internal static partial class Interop
{
    /// <summary>libopus, loaded by soname from Debian's libopus0.</summary>
    internal static partial class Opus
    {
        private const string Library = "libopus.so.0";

        internal const int OPUS_APPLICATION_VOIP = 2048;
        internal const int OPUS_SET_BITRATE_REQUEST = 4002;
        internal const int OPUS_SET_VBR_REQUEST = 4006;
        internal const int OPUS_SET_COMPLEXITY_REQUEST = 4010;
        internal const int OPUS_SET_INBAND_FEC_REQUEST = 4012;
        internal const int OPUS_SET_PACKET_LOSS_PERC_REQUEST = 4014;
        internal const int OPUS_SET_SIGNAL_REQUEST = 4024;
        internal const int OPUS_SIGNAL_VOICE = 3001;

        [LibraryImport(Library)]
        internal static partial nint opus_encoder_create(int sampleRate, int channels, int application, out int error);

        [LibraryImport(Library)]
        internal static partial void opus_encoder_destroy(nint encoder);

        [LibraryImport(Library)]
        internal static unsafe partial int opus_encode(OpusEncoderHandle encoder, short* pcm, int frameSize, byte* data, int maxDataBytes);

        // opus_encoder_ctl is variadic; every request used here takes one int, which the x86-64 and
        // AArch64 calling conventions pass exactly like a fixed int argument.
        [LibraryImport(Library)]
        internal static partial int opus_encoder_ctl(OpusEncoderHandle encoder, int request, int value);

        [LibraryImport(Library)]
        internal static partial nint opus_decoder_create(int sampleRate, int channels, out int error);

        [LibraryImport(Library)]
        internal static partial void opus_decoder_destroy(nint decoder);

        [LibraryImport(Library)]
        internal static unsafe partial int opus_decode(OpusDecoderHandle decoder, byte* data, int length, short* pcm, int frameSize, int decodeFec);

        [LibraryImport(Library)]
        internal static unsafe partial int opus_packet_get_nb_samples(byte* packet, int length, int sampleRate);

        [LibraryImport(Library)]
        internal static partial nint opus_strerror(int error);
    }
}
