using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Contract;
using S2cd.Conference;
using S2cd.Platform;
using S2cd.Wire;

namespace S2cd.Audio;

/// <summary>
/// The microphone and the speaker, while in a session. Capture: 10 ms periods from ALSA through echo cancellation,
/// noise suppression and automatic gain (<see cref="VoiceProcessor"/>), Opus frames of 10 ms (20 ms over a poor link,
/// <see cref="FrameLength"/>) to the session unless
/// muted, while voice activity hears speech (<see cref="TransmitMode"/>). Playback: the mixer's 10 ms periods to
/// ALSA, two to three periods buffered, and the same periods to the echo canceller's reference. Each loop runs on
/// its own thread because ALSA reads and writes block. A device that is missing or fails, or whose library
/// (libasound, libopus) does not load or throws, is reported in status in one line and retried; nothing else stops
/// because of it, and video goes on. Without libspeexdsp the call goes on unprocessed. Both loops also keep time
/// themselves, so a device that does not (ALSA's null and file plugins) cannot make them spin.
/// </summary>
internal sealed partial class AudioService(
    IOptions<AudioOptions> options,
    ConferenceLink link,
    AudioMixer mixer,
    TimeProvider time,
    LoopHealth health,
    ILogger<AudioService> logger,
    PcmOpener? openPcm = null) : SupervisedService("audio", health, time, logger)
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);
    private readonly PcmOpener _openPcm = openPcm ?? AlsaPcm.Open;
    private readonly AudioOptions _options = options.Value;
    private readonly ILogger<AudioService> _logger = logger;
    private readonly LoopHealth.Loop _microphoneLoop = health.Register("microphone");
    private readonly LoopHealth.Loop _speakerLoop = health.Register("speaker");
    private readonly EchoReference _reference = new();

    protected override Task RunAsync(CancellationToken stoppingToken)
    {
        link.Devices.SetProcessing(VoiceProcessor.Describe(_options, null));
        if (!_options.Enabled)
        {
            link.Devices.SetAudio(DeviceStatus.Disabled("Audio:Enabled is false"));
            _microphoneLoop.Wait();
            _speakerLoop.Wait();
            return Task.CompletedTask;
        }

        var capture = StartThread("s2cd capture", () => DeviceLoop(capture: true, stoppingToken));
        var playback = StartThread("s2cd playback", () => DeviceLoop(capture: false, stoppingToken));
        return Task.WhenAll(capture, playback);
    }

    private static Task StartThread(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            Name = name,
            IsBackground = true,
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        return done.Task;
    }

    private void DeviceLoop(bool capture, CancellationToken stoppingToken)
    {
        var device = capture ? _options.CaptureDevice : _options.PlaybackDevice;
        var kind = capture ? "microphone" : "speaker";
        var loop = capture ? _microphoneLoop : _speakerLoop;
        while (!stoppingToken.IsCancellationRequested)
        {
            loop.Beat();
            if (!link.InSession)
            {
                link.Devices.SetAudio(capture, DeviceStatus.Off);
                stoppingToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
                continue;
            }

            try
            {
                RequireLibraries(capture);
                using var pcm = _openPcm(device, capture, AudioOptions.SampleRate, 1, AudioOptions.PeriodSamples, capture ? 4 : _options.PlaybackPeriods);
                link.Devices.SetAudio(capture, DeviceStatus.On(device));
                LogDeviceOpened(kind, device, pcm.PeriodFrames, pcm.BufferFrames);
                if (capture)
                {
                    CaptureLoop(pcm, loop, stoppingToken);
                }
                else
                {
                    PlaybackLoop(pcm, loop, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && stoppingToken.IsCancellationRequested))
            {
                var reason = ex is AlsaException or OpusException or MissingLibraryException ? ex.Message : NativeLibraryProblem.Describe(ex, ex is DllNotFoundException ? "ALSA" : "audio");
                link.Devices.SetAudio(capture, DeviceStatus.Unavailable(reason, TimeSpan.FromSeconds(_options.RetrySeconds)));
                LogDeviceUnavailable(kind, device, reason);
                loop.Wait();
                stoppingToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(_options.RetrySeconds));
            }
        }
    }

    /// <summary>Loads libasound (and, to capture, libopus) before any call into them, so that a failure can be retried.</summary>
    private static void RequireLibraries(bool capture)
    {
        if (!NativeDependency.Alsa.TryEnsureLoaded(out var problem) || (capture && !NativeDependency.Opus.TryEnsureLoaded(out problem)))
        {
            throw new MissingLibraryException(problem!);
        }
    }

    private void CaptureLoop(IPcm pcm, LoopHealth.Loop loop, CancellationToken stoppingToken)
    {
        using var encoder = new OpusEncoder(AudioOptions.SampleRate, _options.Bitrate, _options.ExpectedLossPercent);
        using var processor = new VoiceProcessor(_options);
        link.Devices.SetProcessing(VoiceProcessor.Describe(_options, processor.Problem));
        var period = new short[AudioOptions.PeriodSamples];
        var reference = new short[AudioOptions.PeriodSamples];
        var alignment = processor.CancelsEcho ? new EchoAlignment(_reference) : null;
        var frame = new short[AudioOptions.FrameSamples];
        var payload = new byte[AudioPacketHeader.Size + AudioPacketHeader.MaxOpusBytes];
        var inPeriod = 0;
        var inFrame = 0;
        var frameLength = new FrameLength(_options.ShortFrames);
        var frameSamples = frameLength.Samples;
        var sending = false;
        var room = new RoomLevel();
        uint sequence = 0;
        var clock = Stopwatch.StartNew();
        long periods = 0;
        while (!stoppingToken.IsCancellationRequested && link.InSession)
        {
            loop.Beat();
            inPeriod += pcm.Read(period.AsSpan(inPeriod));
            periods++;
            link.Devices.SetXruns(capture: true, pcm.Xruns);
            KeepTime(clock, ref periods, 0, stoppingToken);
            if (inPeriod < period.Length)
            {
                continue;
            }

            // What the speaker played as these samples were heard, then the period cleaned of it, of noise, and levelled.
            // The capture time is taken before: the processing's own time counts in the mouth-to-ear delay.
            var readAt = UnixTime.Microseconds(Time);
            var heard = _reference.Captured(reference, NowInSamples(), pcm.Delay());
            if (alignment is not null)
            {
                // Where the echo really is, from the signals: the canceller's reference read that much earlier.
                if (alignment.Next(period, heard, reference))
                {
                    processor.RestartEchoCanceller();
                }

                link.Devices.SetEchoDelay(alignment.EstimatedDelayMs);
            }

            inPeriod = 0;
            _ = processor.Process(period, reference);
            period.CopyTo(frame.AsSpan(inFrame));
            inFrame += period.Length;
            if (inFrame < frameSamples)
            {
                continue;
            }

            inFrame = 0;
            var spoken = frame.AsSpan(0, frameSamples);
            if (periods % 100 < frameSamples / period.Length)
            {
                // About once a second: the next frames' length, from the media path and the loss of what arrives.
                var heardFigures = mixer.Figures();
                frameLength.Update(overTls: link.MediaOverTls, heardFigures.Received, heardFigures.Lost, clock.Elapsed);
            }

            var frameMicroseconds = frameSamples * 1_000_000L / AudioOptions.SampleRate;
            frameSamples = frameLength.Samples;
            var level = AudioPacketHeader.LevelOf(spoken);
            var voice = processor.Activity.Speaking;
            link.Devices.SetOwnVoice(level, voice);
            var transmit = _options.Transmit == TransmitMode.Continuous || processor.Activity.Transmitting;
            if (!link.SendsAudio || (!transmit && !sending))
            {
                sending = false;
                if (_options.ComfortNoise && (link.SendsAudio ? room.Heard(spoken) : room.Silenced()))
                {
                    // The room in a pause (silence once muted): a header with no Opus packet, repeating the last sequence.
                    new AudioPacketHeader(sequence, readAt, link.SendsAudio ? room.Level : (byte)127, Pause: true, Noise: true).Write(payload);
                    link.SendMedia(MediaKind.Audio, payload.AsSpan(0, AudioPacketHeader.Size));
                    link.Devices.CountSent(AudioPacketHeader.Size);
                }

                continue;
            }

            room.Sent();

            // The frame's first sample was read one frame before its last period. The last frame before a pause says so,
            // and then no Opus packet is sent until speech comes back: a pause costs the wire only the room's
            // description once a second.
            sending = transmit;
            var capturedAt = readAt - frameMicroseconds;
            new AudioPacketHeader(++sequence, capturedAt, level, voice, Pause: !transmit).Write(payload);
            var length = encoder.Encode(spoken, payload.AsSpan(AudioPacketHeader.Size));
            link.SendMedia(MediaKind.Audio, payload.AsSpan(0, AudioPacketHeader.Size + length));
            link.Devices.CountSent(AudioPacketHeader.Size + length);
        }
    }

    private void PlaybackLoop(IPcm pcm, LoopHealth.Loop loop, CancellationToken stoppingToken)
    {
        var period = new short[AudioOptions.PeriodSamples];
        var clock = Stopwatch.StartNew();
        long periods = 0;
        while (!stoppingToken.IsCancellationRequested && link.InSession)
        {
            loop.Beat();
            mixer.Mix(period);
            pcm.Write(period);

            // Exactly what went to the speaker, and when it will be heard, for the echo canceller: the device's delay
            // now, after the write (which may have waited for room), counts this period too.
            _reference.Played(period, NowInSamples(), Math.Max(0, pcm.Delay() - period.Length));
            periods++;
            link.Devices.SetXruns(capture: false, pcm.Xruns);

            // Stay no more than the playback buffer ahead of real time when the device accepts data faster than it plays.
            KeepTime(clock, ref periods, _options.PlaybackPeriods, stoppingToken);
        }
    }

    /// <summary>The monotonic clock in samples at 48 kHz: the timeline on which the speaker's and the microphone's samples meet.</summary>
    private static long NowInSamples() => (long)(Stopwatch.GetTimestamp() * (double)AudioOptions.SampleRate / Stopwatch.Frequency);

    /// <summary>
    /// Sleeps while the periods handled are more than <paramref name="lead"/> ahead of the time elapsed; after a
    /// stall of more than 200 ms starts counting afresh instead of hurrying to catch up.
    /// </summary>
    private static void KeepTime(Stopwatch clock, ref long periods, int lead, CancellationToken stoppingToken)
    {
        var ahead = (Period * (periods - lead)) - clock.Elapsed;
        if (ahead > TimeSpan.FromMilliseconds(1))
        {
            stoppingToken.WaitHandle.WaitOne(ahead);
        }
        else if (ahead < TimeSpan.FromMilliseconds(-200))
        {
            clock.Restart();
            periods = 0;
        }
    }

    [LoggerMessage(EventId = LogEvents.DeviceOpened, Level = LogLevel.Information, Message = "{Kind} on: {Device} ({Period} frames a period, {Buffer} buffered)")]
    private partial void LogDeviceOpened(string kind, string device, int period, int buffer);

    [LoggerMessage(EventId = LogEvents.DeviceUnavailable, Level = LogLevel.Warning, Message = "{Kind} {Device} unavailable: {Reason}")]
    private partial void LogDeviceUnavailable(string kind, string device, string reason);
}
