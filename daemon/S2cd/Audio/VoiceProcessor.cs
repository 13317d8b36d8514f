using System.Globalization;
using S2cd.Platform;

namespace S2cd.Audio;

/// <summary>
/// The microphone's way to the encoder, 10 ms at a time, as Mumble runs speexdsp: the echo canceller (speexdsp's MDF,
/// with a tail of <see cref="AudioOptions.EchoTailMs"/>) against what the speaker played at the moment the microphone
/// heard each sample; then speexdsp's preprocessor, which suppresses stationary noise (and, with the canceller, the
/// echo it left) and reports the probability of speech; then voice activity and automatic gain of our own (speexdsp's
/// own VAD is a placeholder, and its AGC does not follow speech at 48 kHz). Each stage follows its switch; without
/// libspeexdsp the canceller and suppressor are off, said in <see cref="Problem"/>, and voice activity falls back to
/// loudness. Nothing here buffers: a period leaves in the call that brought it, so processing adds no delay.
/// </summary>
internal sealed class VoiceProcessor : IDisposable
{
    private readonly AudioOptions _options;
    private SpeexEchoHandle? _echo;
    private readonly SpeexPreprocessHandle? _preprocess;
    private readonly AutoGain? _gain;
    private readonly short[] _cleaned = new short[AudioOptions.PeriodSamples];

    public VoiceProcessor(AudioOptions options)
    {
        _options = options;
        _gain = options.AutoGain ? new AutoGain(options.GainTargetDbfs) : null;
        if (!NativeDependency.Speex.TryEnsureLoaded(out var problem))
        {
            Problem = problem;
            return;
        }

        _preprocess = CreatePreprocess();
        if (options.EchoCancel)
        {
            _echo = CreateEcho(options.EchoTailMs);
            if (options.NoiseSuppress)
            {
                // The preprocessor also takes out the echo the linear filter leaves, in the same gain as the noise.
                Ctl(_preprocess, Interop.Speex.SPEEX_PREPROCESS_SET_ECHO_STATE, _echo.DangerousGetHandle());
            }
        }
    }

    /// <summary>Why echo cancellation and noise suppression cannot run (libspeexdsp does not load), or null.</summary>
    public string? Problem { get; }

    public VoiceActivity Activity { get; } = new();

    /// <summary>Whether the echo canceller runs.</summary>
    public bool CancelsEcho => _echo is not null;

    /// <summary>
    /// Processes one captured period in place: <paramref name="reference"/> is what the speaker played as it was heard.
    /// Returns whether the period is speech-like.
    /// </summary>
    public unsafe bool Process(Span<short> period, ReadOnlySpan<short> reference)
    {
        if (_echo is not null)
        {
            fixed (short* recorded = period)
            fixed (short* played = reference)
            fixed (short* output = _cleaned)
            {
                Interop.Speex.speex_echo_cancellation(_echo, recorded, played, output);
            }

            _cleaned.CopyTo(period);
        }

        int? probability = null;
        if (_preprocess is not null)
        {
            fixed (short* samples = period)
            {
                _ = Interop.Speex.speex_preprocess_run(_preprocess, samples);
            }

            var p = 0;
            Ctl(_preprocess, Interop.Speex.SPEEX_PREPROCESS_GET_PROB, ref p);
            probability = p;
        }

        var level = Dbfs(period);
        var speech = Activity.Next(level, probability);
        _gain?.Apply(period, speech, level);
        return speech;
    }

    /// <summary>
    /// The echo canceller starts afresh: its reference moved on the timeline, so what it learned no longer fits. A new
    /// state, not speex_echo_state_reset: after a reset speexdsp kept adapting as slowly as a converged filter does, and
    /// took seconds to learn the moved echo that a new state learns in one.
    /// </summary>
    public void RestartEchoCanceller()
    {
        if (_echo is null)
        {
            return;
        }

        var fresh = CreateEcho(_options.EchoTailMs);
        if (_preprocess is not null && _options.NoiseSuppress)
        {
            Ctl(_preprocess, Interop.Speex.SPEEX_PREPROCESS_SET_ECHO_STATE, fresh.DangerousGetHandle());
        }

        _echo.Dispose();
        _echo = fresh;
    }

    /// <summary>What runs, for <c>status</c>: "echo cancellation (60 ms tail), noise suppression (30 dB), automatic gain (to -20 dBFS)".</summary>
    public static Conference.AudioProcessing Describe(AudioOptions options, string? problem)
    {
        var transmit = options.Transmit;
        if (!options.Enabled)
        {
            return Conference.AudioProcessing.None with { Transmit = transmit };
        }

        var parts = new List<string>(3);
        var inv = CultureInfo.InvariantCulture;
        if (options.EchoCancel && problem is null)
        {
            parts.Add(string.Create(inv, $"echo cancellation ({options.EchoTailMs} ms tail)"));
        }

        if (options.NoiseSuppress && problem is null)
        {
            parts.Add(string.Create(inv, $"noise suppression ({options.NoiseSuppressDb} dB)"));
        }

        if (options.AutoGain)
        {
            parts.Add(string.Create(inv, $"automatic gain (to {options.GainTargetDbfs} dBFS)"));
        }

        var processing = parts.Count == 0 ? "none" : string.Join(", ", parts);
        var missing = problem is not null && (options.EchoCancel || options.NoiseSuppress);
        return new Conference.AudioProcessing(
            missing ? $"{processing}; echo cancellation and noise suppression unavailable: {problem}" : processing,
            options.EchoCancel && problem is null,
            options.NoiseSuppress && problem is null,
            options.AutoGain,
            transmit,
            missing ? $"echo cancellation and noise suppression off: {problem}" : null);
    }

    public void Dispose()
    {
        _echo?.Dispose();
        _preprocess?.Dispose();
    }

    /// <summary>The level of <paramref name="period"/> in dBFS (-127 for digital silence).</summary>
    public static double Dbfs(ReadOnlySpan<short> period)
    {
        var rms = AudioPacketHeader.Rms(period);
        return rms <= 0 ? -127 : Math.Max(-127, 20 * Math.Log10(rms));
    }

    private static unsafe SpeexEchoHandle CreateEcho(int tailMs)
    {
        var handle = new SpeexEchoHandle();
        var state = Interop.Speex.speex_echo_state_init(AudioOptions.PeriodSamples, AudioOptions.SampleRate / 1000 * tailMs);
        if (state == 0)
        {
            handle.Dispose();
            throw new InvalidOperationException("speex_echo_state_init failed");
        }

        handle.Set(state);
        var rate = AudioOptions.SampleRate;
        _ = Interop.Speex.speex_echo_ctl(handle, Interop.Speex.SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
        return handle;
    }

    private SpeexPreprocessHandle CreatePreprocess()
    {
        var handle = new SpeexPreprocessHandle();
        var state = Interop.Speex.speex_preprocess_state_init(AudioOptions.PeriodSamples, AudioOptions.SampleRate);
        if (state == 0)
        {
            handle.Dispose();
            throw new InvalidOperationException("speex_preprocess_state_init failed");
        }

        handle.Set(state);
        var denoise = _options.NoiseSuppress ? 1 : 0;
        var off = 0;
        var suppress = -_options.NoiseSuppressDb;
        Ctl(handle, Interop.Speex.SPEEX_PREPROCESS_SET_DENOISE, ref denoise);
        Ctl(handle, Interop.Speex.SPEEX_PREPROCESS_SET_AGC, ref off);
        Ctl(handle, Interop.Speex.SPEEX_PREPROCESS_SET_DEREVERB, ref off);
        Ctl(handle, Interop.Speex.SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, ref suppress);
        return handle;
    }

    private static unsafe void Ctl(SpeexPreprocessHandle handle, int request, ref int value)
    {
        fixed (int* p = &value)
        {
            _ = Interop.Speex.speex_preprocess_ctl(handle, request, p);
        }
    }

    private static unsafe void Ctl(SpeexPreprocessHandle handle, int request, nint pointer) =>
        _ = Interop.Speex.speex_preprocess_ctl(handle, request, (void*)pointer);
}
