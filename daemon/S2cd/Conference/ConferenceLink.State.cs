using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

internal sealed partial class ConferenceLink
{
    private void SetState(ConnectionState state, string? reason)
    {
        lock (_lock)
        {
            if (_state == state && _reason == reason)
            {
                return;
            }

            _state = state;
            _reason = reason;
        }

        Publish(ControlEventKind.ConnectionChanged, null);
    }

    private void ClearMembers()
    {
        IReadOnlyList<ParticipantInfo> gone;
        lock (_lock)
        {
            gone = _membership.Clear();
        }

        _video.Clear();
        _audio.Clear();
        foreach (var info in gone)
        {
            Publish(ControlEventKind.ParticipantLeft, info);
        }
    }

    private StatusResult AfterOwnChange()
    {
        ITransportLink? link;
        MemberFlags flags;
        string name;
        ParticipantInfo self;
        bool inSession;
        lock (_lock)
        {
            link = _state == ConnectionState.Connected ? _link : null;
            flags = FlagsLocked();
            name = _name;
            self = SelfLocked();
            inSession = _session is not null;
        }

        link?.SendPresence(flags, name);
        Remember();
        _cameraDemand.Writer.TryWrite(true);
        if (inSession)
        {
            Publish(ControlEventKind.ParticipantChanged, self);
        }

        return GetStatus();
    }

    private void Publish(ControlEventKind kind, ParticipantInfo? participant)
    {
        _video.Touch();
        _events.Publish(new ControlEvent { Kind = kind, Participant = participant, Status = GetStatus() });
    }

    private MemberFlags FlagsLocked() => (_muted ? MemberFlags.Muted : 0) | (_cameraOn ? MemberFlags.CameraOn : 0);

    private ParticipantInfo SelfLocked() => new()
    {
        Id = _membership.SelfId,
        Name = _name,
        IsSelf = true,
        Muted = _muted,
        CameraOn = _cameraOn,
    };

    private StatusResult StatusLocked()
    {
        var audio = _audio.Figures();
        var expected = audio.Received + audio.Lost;
        var e2e = _e2e?.Counters ?? default;
        return new StatusResult
        {
            EndToEnd = _session is null ? "not in a session" : StatusText.EndToEnd(_options.EndToEnd, _e2e?.Coverage()),
            Fingerprint = _identity?.Fingerprint,
            CallCode = CallCodeLocked(),
            Passphrase = _session is not null && _passphraseKey is not null,
            RejectedTampered = _e2eTotals.Tampered + e2e.Tampered,
            RejectedReplayed = _e2eTotals.Replayed + e2e.Replayed,
            RejectedOldKey = _e2eTotals.OldKey + e2e.OldKey,
            RejectedKeyBundles = _e2eTotals.BadKeyBundles + e2e.BadKeyBundles,
            RefusedMembers = _e2eTotals.RefusedMembers + e2e.RefusedMembers,
            MediaAwaitingKey = _e2eTotals.AwaitingKey + e2e.AwaitingKey,
            Encryption = _session is null ? "not in a session" : StatusText.Encryption(_security),
            Microphone = StatusText.Of(_microphone),
            Speaker = StatusText.Of(_speaker),
            AudioXruns = Interlocked.Read(ref _captureXruns) + Interlocked.Read(ref _playbackXruns),
            AudioProcessing = _audioProcessing.Description,
            EchoCancel = _audioProcessing.EchoCancel,
            NoiseSuppress = _audioProcessing.NoiseSuppress,
            AutoGain = _audioProcessing.AutoGain,
            Transmit = _audioProcessing.Transmit,
            AudioPacketsSent = Interlocked.Read(ref _audioPacketsSent),
            AudioBytesSent = Interlocked.Read(ref _audioBytesSent),
            JitterBufferMs = audio.JitterBufferMs,
            AudioLossPercent = expected == 0 ? 0 : Math.Round(100.0 * audio.Lost / expected, 1),
            AudioRecovered = audio.Recovered,
            AudioConcealed = audio.Concealed,
            AudioUnderruns = audio.Underruns,
            AudioRejected = audio.Rejected,
            AudioLate = audio.Late,
            AudioDelayMs = audio.DelayP50Ms,
            AudioDelayP95Ms = audio.DelayP95Ms,
            Role = _daemon.RoleName,
            DaemonVersion = DaemonInfo.Version,
            Name = _name,
            Session = _session,
            Relay = _link?.Relay ?? _relay,
            Connection = _state,
            Reason = _reason,
            RoundTripMs = _link?.RoundTrip?.TotalMilliseconds,
            MediaPath = _session is null ? null : _link?.MediaPath,
            DatagramsRejected = _link?.DatagramsRejected ?? 0,
            Muted = _muted,
            CameraOn = _cameraOn,
            Camera = StatusText.Of(_camera),
            VideoRejected = _video.Rejected,
            VideoLost = _video.TotalLost,
            Participants = _session is null ? 0 : _membership.Count + 1,
            RejoinedAfterSeconds = _rejoinedAfterSeconds,
            RelayListen = _relayServer.LocalEndPoint?.ToString(),
            RelaySessions = _relayServer.SessionCount,
            RelayConnections = _relayServer.ConnectionCount,
            RelayDatagramsReceived = _relayServer.Datagrams?.Received ?? 0,
            RelayDatagramsRejected = _relayServer.Datagrams?.Rejected ?? 0,
            Problems = ProblemsLocked(),
        };
    }

    /// <summary>What does not work, one line each, most visible first: devices, then decoding, then services.</summary>
    private List<string> ProblemsLocked()
    {
        var problems = new List<string>();
        Add(StatusText.ProblemOf("camera", _camera));
        Add(StatusText.ProblemOf("microphone", _microphone));
        Add(StatusText.ProblemOf("speaker", _speaker));
        Add(_video.Problem is { } video ? $"pictures from others not shown: {video}" : null);
        Add(_audio.Problem is { } audio ? $"sound from others not played: {audio}" : null);
        Add(_audioProcessing.Problem);
        problems.AddRange(_health.DownServices());
        return problems;

        void Add(string? problem)
        {
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }
    }

    private string? CallCodeLocked() => _session is not null && _options.EndToEnd ? _e2e?.CallCode() : null;

    /// <summary>What the call view's status line needs, typed.</summary>
    public ViewStatus GetViewStatus()
    {
        lock (_lock)
        {
            return new ViewStatus(
                _session,
                _relay,
                _state,
                _link?.RoundTrip?.TotalMilliseconds,
                _camera.Condition == DeviceCondition.On,
                _security,
                _options.EndToEnd,
                CallCodeLocked(),
                _muted,
                _cameraOn,
                ProblemsLocked(),
                _session is null || _state != ConnectionState.Connected ? null : _link?.MediaPath);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Joined session {Session} on relay {Relay} with {Count} participants")]
    private partial void LogJoined(string session, string relay, int count);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Identity {How}: certificate {Fingerprint} ({Path})")]
    private partial void LogIdentity(string how, string fingerprint, string path);
}
