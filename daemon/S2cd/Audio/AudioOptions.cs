using S2cd.Contract;
using S2cd.Configuration;

namespace S2cd.Audio;

/// <summary>Settings of the microphone, speaker and voice coding (configuration section <c>Audio</c>).</summary>
internal sealed class AudioOptions
{
    public const string Section = "Audio";

    public const int SampleRate = 48000;

    /// <summary>Samples in one 10 ms device period.</summary>
    public const int PeriodSamples = SampleRate / 100;

    /// <summary>Samples in the longest Opus frame sent or read (20 ms); frames are 10 ms where the link allows.</summary>
    public const int FrameSamples = SampleRate / 50;

    /// <summary>Whether the daemon uses audio at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The ALSA capture device.</summary>
    public string CaptureDevice { get; set; } = "default";

    /// <summary>The ALSA playback device.</summary>
    public string PlaybackDevice { get; set; } = "default";

    /// <summary>Opus bitrate in bits per second (constant).</summary>
    [InRange(6000, 128_000)]
    public int Bitrate { get; set; } = 24000;

    /// <summary>
    /// The packet loss Opus prepares its in-band FEC for, in percent. Above about 5% at 24 kbit/s the FEC
    /// copy takes so many bits that a steady tone in the main stream falls apart.
    /// </summary>
    [InRange(0, 50)]
    public int ExpectedLossPercent { get; set; } = 5;

    /// <summary>Device periods in the playback buffer (2 or 3).</summary>
    [InRange(2, 3)]
    public int PlaybackPeriods { get; set; } = 3;

    /// <summary>
    /// Opus frames of 10 ms while media goes over UDP and what arrives from the call loses under 2%, 20 ms otherwise
    /// (<see cref="FrameLength"/>); false: always 20 ms.
    /// </summary>
    public bool ShortFrames { get; set; } = true;

    /// <summary>
    /// The jitter buffer's first target, in milliseconds (at least two of the sender's frames); it adapts between the
    /// bounds below.
    /// </summary>
    public int JitterStartMilliseconds { get; set; } = 20;

    [InRange(10, 200)]
    public int JitterMinMilliseconds { get; set; } = 10;

    public int JitterMaxMilliseconds { get; set; } = 200;

    /// <summary>Whether the microphone runs through the echo canceller (speexdsp), against what the speaker played.</summary>
    public bool EchoCancel { get; set; } = true;

    /// <summary>
    /// The echo canceller's tail, in milliseconds: how long the room's echo goes on after its first arrival (its
    /// reflections). The delay before that first arrival is found from the signals (<see cref="EchoAlignment"/>), so the
    /// tail is short, as WebRTC's is: a short filter converges within a second of speech.
    /// </summary>
    [InRange(40, 1000)]
    public int EchoTailMs { get; set; } = 60;

    /// <summary>Whether stationary noise (fans, hum, hiss) is suppressed (speexdsp's preprocessor).</summary>
    public bool NoiseSuppress { get; set; } = true;

    /// <summary>How far noise is pushed down, in dB.</summary>
    [InRange(3, 60)]
    public int NoiseSuppressDb { get; set; } = 30;

    /// <summary>Whether speech is brought to <see cref="GainTargetDbfs"/> automatically.</summary>
    public bool AutoGain { get; set; } = true;

    /// <summary>The level automatic gain brings speech to, in dB below full scale.</summary>
    [InRange(-40, -6)]
    public int GainTargetDbfs { get; set; } = -20;

    /// <summary>
    /// When the microphone is sent: <c>voice</c> (only while voice activity hears speech, and nothing in pauses) or
    /// <c>continuous</c> (every frame, as for music or a test tone).
    /// </summary>
    public TransmitMode Transmit { get; set; } = TransmitMode.Voice;

    /// <summary>
    /// Comfort noise in pauses: a sender describes its room's level while it sends nothing (about once a second), and
    /// receivers play noise of that level, so a pause sounds like the room, not a dead line. False: neither.
    /// </summary>
    public bool ComfortNoise { get; set; } = true;

    /// <summary>Seconds between attempts to open a missing or failed device.</summary>
    [InRange(0.5, 300)]
    public double RetrySeconds { get; set; } = 5;
}
