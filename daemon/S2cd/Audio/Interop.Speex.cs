using System.Runtime.InteropServices;

namespace S2cd.Audio;

internal static partial class Interop
{
    /// <summary>speexdsp's echo canceller and preprocessor, loaded by soname from Debian's libspeexdsp1.</summary>
    internal static partial class Speex
    {
        private const string Library = "libspeexdsp.so.1";

        internal const int SPEEX_ECHO_SET_SAMPLING_RATE = 24;
        internal const int SPEEX_PREPROCESS_SET_DENOISE = 0;
        internal const int SPEEX_PREPROCESS_SET_AGC = 2;
        internal const int SPEEX_PREPROCESS_SET_DEREVERB = 8;
        internal const int SPEEX_PREPROCESS_SET_NOISE_SUPPRESS = 18;
        internal const int SPEEX_PREPROCESS_SET_ECHO_SUPPRESS = 20;
        internal const int SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 22;
        internal const int SPEEX_PREPROCESS_SET_ECHO_STATE = 24;
        internal const int SPEEX_PREPROCESS_GET_PROB = 45;

        [LibraryImport(Library)]
        internal static partial nint speex_echo_state_init(int frameSize, int filterLength);

        [LibraryImport(Library)]
        internal static partial void speex_echo_state_destroy(nint state);

        [LibraryImport(Library)]
        internal static unsafe partial void speex_echo_cancellation(SpeexEchoHandle state, short* recorded, short* played, short* output);

        [LibraryImport(Library)]
        internal static unsafe partial int speex_echo_ctl(SpeexEchoHandle state, int request, void* value);

        [LibraryImport(Library)]
        internal static partial nint speex_preprocess_state_init(int frameSize, int samplingRate);

        [LibraryImport(Library)]
        internal static partial void speex_preprocess_state_destroy(nint state);

        [LibraryImport(Library)]
        internal static unsafe partial int speex_preprocess_run(SpeexPreprocessHandle state, short* samples);

        [LibraryImport(Library)]
        internal static unsafe partial int speex_preprocess_ctl(SpeexPreprocessHandle state, int request, void* value);
    }
}
