using S2cd.Contract;

namespace S2cd.Conference;

/// <summary>What the camera and audio services ask of the core and report to it: whether they are wanted, device states, levels.</summary>
internal sealed partial class ConferenceLink
{
    /// <summary>True while the camera should run: in a session with the camera on, or while someone previews.</summary>
    public bool WantsCamera
    {
        get
        {
            lock (_lock)
            {
                return (_session is not null && _cameraOn) || _previewers > 0;
            }
        }
    }

    private static readonly TimeSpan SpeakingHold = TimeSpan.FromMilliseconds(300);

    /// <summary>True while in a session (connected or reconnecting): the microphone and speaker are open.</summary>
    public bool InSession
    {
        get
        {
            lock (_lock)
            {
                return _session is not null && _state is ConnectionState.Connected or ConnectionState.Reconnecting;
            }
        }
    }

    /// <summary>True while captured audio goes to the session: connected and not muted.</summary>
    public bool SendsAudio
    {
        get
        {
            lock (_lock)
            {
                return _state == ConnectionState.Connected && !_muted;
            }
        }
    }

    /// <summary>The microphone's (<paramref name="capture"/>) or the speaker's state, as the audio service sees it.</summary>
    public void SetAudioState(bool capture, DeviceState state)
    {
        lock (_lock)
        {
            if ((capture ? _microphone : _speaker) == state)
            {
                return;
            }

            if (capture)
            {
                _microphone = state;
            }
            else
            {
                _speaker = state;
            }
        }

        Publish(ControlEventKind.ConnectionChanged, null);
    }

    /// <summary>Microphone and speaker at once (both disabled by configuration, say).</summary>
    public void SetAudioState(DeviceState both)
    {
        SetAudioState(capture: true, both);
        SetAudioState(capture: false, both);
    }

    public void SetXruns(bool capture, long xruns)
    {
        if (capture)
        {
            Interlocked.Exchange(ref _captureXruns, xruns);
        }
        else
        {
            Interlocked.Exchange(ref _playbackXruns, xruns);
        }
    }

    /// <summary>True while captured pictures go to the session.</summary>
    public bool SendsVideo
    {
        get
        {
            lock (_lock)
            {
                return _state == ConnectionState.Connected && _cameraOn;
            }
        }
    }

    /// <summary>The camera's state, as the camera service sees it.</summary>
    public void SetCameraState(DeviceState state)
    {
        lock (_lock)
        {
            if (_camera == state)
            {
                return;
            }

            _camera = state;
        }

        Publish(ControlEventKind.ConnectionChanged, null);
    }

    /// <summary>Completes when the answer of <see cref="WantsCamera"/> may have changed.</summary>
    public async Task WaitForCameraDemandAsync(CancellationToken cancellationToken)
    {
        await _cameraDemand.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        _cameraDemand.Reader.TryRead(out _);
    }

    /// <summary>Starts a preview of our own camera, outside any session; dispose the result to stop it.</summary>
    public IDisposable StartPreview()
    {
        lock (_lock)
        {
            _previewers++;
        }

        _cameraDemand.Writer.TryWrite(true);
        return new PreviewLease(this);
    }
}
