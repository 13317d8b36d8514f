using S2cd.Configuration;

namespace S2cd.Audio;

/// <summary>Settings of the microphone, speaker and voice coding (configuration section <c>Audio</c>).</summary>
internal sealed class AudioOptions
{
    public const string Section = "Audio";

    public const int SampleRate = 48000;

    /// <summary>Samples in one 10 ms device period.</summary>
    public const int PeriodSamples = SampleRate / 100;

    /// <summary>Samples in one 20 ms Opus frame.</summary>
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

    /// <summary>The jitter buffer's first target, in milliseconds; it adapts between the bounds below.</summary>
    public int JitterStartMilliseconds { get; set; } = 40;

    [InRange(20, 200)]
    public int JitterMinMilliseconds { get; set; } = 20;

    public int JitterMaxMilliseconds { get; set; } = 200;

    /// <summary>Seconds between attempts to open a missing or failed device.</summary>
    [InRange(0.5, 300)]
    public double RetrySeconds { get; set; } = 5;
}
