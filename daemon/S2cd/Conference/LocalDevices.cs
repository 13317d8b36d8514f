using S2cd.Contract;

namespace S2cd.Conference;

/// <summary>
/// What the camera and audio services report of this machine's devices and voice: each device's state, the ALSA
/// xruns, our own level and speaking mark, the processing that runs on the microphone, and what was sent. Its own
/// lock guards only its own fields; <see cref="Changed"/> is raised after it is released.
/// </summary>
internal sealed class LocalDevices(TimeProvider time)
{
    /// <summary>How long our speaking mark holds after the last period voice activity heard speech.</summary>
    public static readonly TimeSpan SpeakingHold = TimeSpan.FromMilliseconds(300);

    private readonly Lock _lock = new();
    private DeviceStatus _camera = DeviceStatus.Off;
    private DeviceStatus _microphone = DeviceStatus.Off;
    private DeviceStatus _speaker = DeviceStatus.Off;
    private AudioProcessing _processing = AudioProcessing.None;
    private long _captureXruns;
    private long _playbackXruns;
    private long _packetsSent;
    private long _bytesSent;
    private (byte Level, bool Voice, long At) _ownVoice;
    private int _echoDelayMs = int.MinValue;

    /// <summary>A device's state changed (not raised for figures).</summary>
    public event Action? Changed;

    /// <summary>The devices and what processes the microphone, read at once.</summary>
    public (DeviceStatus Camera, DeviceStatus Microphone, DeviceStatus Speaker, AudioProcessing Processing) States
    {
        get
        {
            lock (_lock)
            {
                return (_camera, _microphone, _speaker, _processing);
            }
        }
    }

    /// <summary>Overruns on capture and underruns on playback, together.</summary>
    public long Xruns => Interlocked.Read(ref _captureXruns) + Interlocked.Read(ref _playbackXruns);

    /// <summary>Audio packets sent and their bytes (headers and Opus, before encryption).</summary>
    public (long Packets, long Bytes) Sent => (Interlocked.Read(ref _packetsSent), Interlocked.Read(ref _bytesSent));

    public void SetCamera(DeviceStatus state) => Set(ref _camera, state);

    /// <summary>The microphone's (<paramref name="capture"/>) or the speaker's state, as the audio service sees it.</summary>
    public void SetAudio(bool capture, DeviceStatus state)
    {
        if (capture)
        {
            Set(ref _microphone, state);
        }
        else
        {
            Set(ref _speaker, state);
        }
    }

    /// <summary>Microphone and speaker at once (both disabled by configuration, say).</summary>
    public void SetAudio(DeviceStatus both)
    {
        SetAudio(capture: true, both);
        SetAudio(capture: false, both);
    }

    /// <summary>What processes the microphone (for <c>status</c>), and why part of it cannot run.</summary>
    public void SetProcessing(AudioProcessing processing)
    {
        lock (_lock)
        {
            _processing = processing;
        }
    }

    /// <summary>The echo's delay beyond the devices' figures as the echo canceller found it (null: not found yet).</summary>
    public int? EchoDelayMs
    {
        get
        {
            var ms = Volatile.Read(ref _echoDelayMs);
            return ms == int.MinValue ? null : ms;
        }
    }

    public void SetEchoDelay(int? ms) => Volatile.Write(ref _echoDelayMs, ms ?? int.MinValue);

    public void SetXruns(bool capture, long xruns) => Interlocked.Exchange(ref capture ? ref _captureXruns : ref _playbackXruns, xruns);

    /// <summary>One audio packet of <paramref name="bytes"/> went to the session.</summary>
    public void CountSent(int bytes)
    {
        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>Our own microphone's level (dB below full scale) and whether voice activity hears speech, for our speaking mark.</summary>
    public void SetOwnVoice(byte level, bool voice)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            _ownVoice = (level, voice, now);
        }
    }

    /// <summary>Our own level and speaking mark while it is recent (within <see cref="SpeakingHold"/>), else null.</summary>
    public (byte Level, bool Voice)? OwnVoice()
    {
        (byte Level, bool Voice, long At) own;
        lock (_lock)
        {
            own = _ownVoice;
        }

        return own.At == 0 || time.GetElapsedTime(own.At) >= SpeakingHold ? null : (own.Level, own.Voice);
    }

    private void Set(ref DeviceStatus field, DeviceStatus state)
    {
        lock (_lock)
        {
            if (field == state)
            {
                return;
            }

            field = state;
        }

        Changed?.Invoke();
    }
}
