using Microsoft.Extensions.Options;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Relay;

namespace S2cd.Conference;

/// <summary>
/// The one place <see cref="StatusResult"/>, the participant list's figures and the view's status are composed:
/// from the call (a snapshot the core took under its lock), the devices, end-to-end trust, the media sinks, the
/// loops' health and the relay in this process. It takes no lock of the core; each part reads under its own.
/// </summary>
internal sealed class StatusComposer(
    IOptions<DaemonOptions> daemon,
    LocalDevices devices,
    EndToEndTrust trust,
    IVideoSink video,
    IAudioSink audio,
    LoopHealth health,
    IRelayFigures relay)
{
    public LocalDevices Devices => devices;

    /// <summary>The status of a daemon in the relay role: who it is and what its relay carries.</summary>
    public static StatusResult OfRelay(string name, RelayFigures? relay) => WithRelay(
        new StatusResult
        {
            Role = DaemonRole.Relay,
            DaemonVersion = DaemonInfo.Version,
            Name = name,
            Connection = ConnectionState.Idle,
            Muted = false,
            CameraOn = false,
            Participants = 0,
        },
        relay,
        []);

    /// <summary>The status of a participant daemon in <paramref name="call"/>.</summary>
    public StatusResult Of(CallSnapshot call)
    {
        var settings = call.Call;
        var inSession = settings.Session is not null;
        var link = call.Link.Link;
        var heard = audio.Figures();
        var expected = heard.Received + heard.Lost;
        var e2e = trust.Figures();
        var states = devices.States;
        var sent = devices.Sent;
        var status = new StatusResult
        {
            Role = daemon.Value.Role,
            DaemonVersion = DaemonInfo.Version,
            Name = settings.Name,
            Session = settings.Session,
            Relay = link?.Relay ?? settings.Relay,
            Connection = call.Link.State,
            Reason = call.Link.Reason,
            RoundTripMs = link?.RoundTrip?.TotalMilliseconds,
            MediaPath = inSession ? link?.MediaPath : null,
            DatagramsRejected = link?.DatagramsRejected ?? 0,
            Encryption = inSession ? Encryption(call.Link.Security) : null,
            EndToEnd = inSession ? trust.Status() : null,
            Fingerprint = trust.Identity?.Fingerprint,
            CallCode = CallCode(call),
            Passphrase = inSession && settings.PassphraseKey is not null,
            RejectedTampered = e2e.Tampered,
            RejectedReplayed = e2e.Replayed,
            RejectedOldKey = e2e.OldKey,
            RejectedKeyBundles = e2e.BadKeyBundles,
            RefusedMembers = e2e.RefusedMembers,
            MediaAwaitingKey = e2e.AwaitingKey,
            Muted = settings.Muted,
            CameraOn = settings.CameraOn,
            Camera = states.Camera,
            Microphone = states.Microphone,
            Speaker = states.Speaker,
            VideoRejected = video.Rejected,
            VideoLost = video.TotalLost,
            AudioXruns = devices.Xruns,
            AudioProcessing = states.Processing.Description,
            EchoCancel = states.Processing.EchoCancel,
            EchoDelayMs = states.Processing.EchoCancel ? devices.EchoDelayMs : null,
            NoiseSuppress = states.Processing.NoiseSuppress,
            AutoGain = states.Processing.AutoGain,
            Transmit = states.Processing.Transmit,
            AudioPacketsSent = sent.Packets,
            AudioBytesSent = sent.Bytes,
            JitterBufferMs = heard.JitterBufferMs,
            AudioLossPercent = expected == 0 ? 0 : Math.Round(100.0 * heard.Lost / expected, 1),
            AudioRecovered = heard.Recovered,
            AudioConcealed = heard.Concealed,
            AudioUnderruns = heard.Underruns,
            AudioRejected = heard.Rejected,
            AudioLate = heard.Late,
            AudioDelayMs = heard.DelayP50Ms,
            AudioDelayP95Ms = heard.DelayP95Ms,
            Participants = inSession ? call.Others + 1 : 0,
            RejoinedAfterSeconds = settings.RejoinedAfterSeconds,
        };
        return WithRelay(status, relay.Figures(), Problems(states));
    }

    /// <summary>What the call view's status line needs, typed.</summary>
    public ViewStatus OfView(CallSnapshot call)
    {
        var settings = call.Call;
        var connected = settings.Session is not null && call.Link.State == ConnectionState.Connected;
        var states = devices.States;
        return new ViewStatus(
            settings.Session,
            settings.Relay,
            call.Link.State,
            call.Link.Link?.RoundTrip?.TotalMilliseconds,
            states.Camera.Condition == DeviceCondition.On,
            call.Link.Security,
            trust.Enabled,
            CallCode(call),
            settings.Muted,
            settings.CameraOn,
            Problems(states),
            connected ? call.Link.Link?.MediaPath : null);
    }

    /// <summary>
    /// The list as the core holds it (ourselves first while in a session or previewing), with what the other parts
    /// know of each member: trust and keys, pictures, sound and volume.
    /// </summary>
    public IReadOnlyList<ParticipantInfo> Participants(List<ParticipantInfo> list, string? session, MemberVolumes volumes)
    {
        var e2e = trust.Enabled ? trust.Current : null;
        for (var i = 0; i < list.Count; i++)
        {
            var member = list[i];
            if (member.IsSelf)
            {
                var own = member.Muted ? null : devices.OwnVoice();
                list[i] = member with
                {
                    Fingerprint = trust.Identity?.Fingerprint,
                    Trust = Trust.You,
                    KeyId = e2e?.SendKeyId,
                    VideoFps = video.SelfFps,
                    AudioLevel = own is { } heard ? -heard.Level : null,
                    Speaking = own is { Voice: true },
                };
                continue;
            }

            var (fingerprint, memberTrust, refused) = trust.Describe(e2e, member.Id);
            var (fps, delay, lost) = video.Figures(member.Id);
            var recent = audio.Recent(member.Id);
            list[i] = member with
            {
                Fingerprint = fingerprint,
                Trust = memberTrust,
                RefusedReason = refused,
                KeyId = e2e?.NewestKeyIdFrom(member.Id) is { } key and > 0 ? key : null,
                VideoFps = fps,
                VideoLost = lost,
                VideoDelayMs = delay,
                AudioLevel = -recent?.Level,
                Speaking = recent?.Voice == true,
                Volume = volumes.Of(session, member.Name),
            };
        }

        return list;
    }

    private string? CallCode(CallSnapshot call) =>
        call.Call.Session is not null && trust.Enabled ? trust.Current?.CallCode() : null;

    private static EncryptionStatus Encryption(Transport.LinkSecurity? security) => security switch
    {
        null => new EncryptionStatus(LinkEncryption.NotConnected),
        { Tls: true } => new EncryptionStatus(LinkEncryption.Tls, security.CertificateFingerprint),
        _ => new EncryptionStatus(LinkEncryption.None),
    };

    /// <summary>What does not work, most visible first: devices, then decoding, then services.</summary>
    private List<Problem> Problems((DeviceStatus Camera, DeviceStatus Microphone, DeviceStatus Speaker, AudioProcessing Processing) states)
    {
        var problems = new List<Problem>();
        Device(ProblemKind.CameraUnavailable, states.Camera);
        Device(ProblemKind.MicrophoneUnavailable, states.Microphone);
        Device(ProblemKind.SpeakerUnavailable, states.Speaker);
        if (video.Problem is { } pictures)
        {
            problems.Add(new Problem(ProblemKind.PicturesNotShown, pictures));
        }

        if (audio.Problem is { } sound)
        {
            problems.Add(new Problem(ProblemKind.SoundNotPlayed, sound));
        }

        if (states.Processing.Problem is { } processing)
        {
            problems.Add(new Problem(ProblemKind.AudioProcessing, processing));
        }

        problems.AddRange(health.DownServices().Select(d => new Problem(ProblemKind.ServiceStopped, d.Reason, d.Service)));
        return problems;

        void Device(ProblemKind kind, DeviceStatus state)
        {
            if (state.Condition == DeviceCondition.Unavailable)
            {
                problems.Add(new Problem(kind, state.Detail ?? "unknown"));
            }
        }
    }

    private static StatusResult WithRelay(StatusResult status, RelayFigures? relay, List<Problem> problems)
    {
        if (relay?.WebProblem is { } web)
        {
            problems.Add(new Problem(ProblemKind.WebFrontNotServing, web));
        }

        return relay is null ? status with { Problems = problems } : status with
        {
            RelayListen = relay.Listen,
            RelayWeb = relay.Web,
            RelayJoinBuild = relay.JoinBuild,
            RelayJoinBuildMissing = relay.JoinBuildMissing,
            RelaySessions = relay.Sessions,
            RelayConnections = relay.Connections,
            RelayDatagramsReceived = relay.DatagramsReceived,
            RelayDatagramsRejected = relay.DatagramsRejected,
            RelayLoad = relay.Load,
            RelayBusy = relay.Busy,
            RelayVideoShed = relay.VideoShed,
            RelayFabric = relay.Fabric is null ? null : relay.Fabric.Connected ? FabricState.Connected : FabricState.Reconnecting,
            RelayFabricPublished = relay.Fabric?.Published ?? 0,
            RelayFabricReceived = relay.Fabric?.Received ?? 0,
            RelayFabricRejected = relay.Fabric?.Rejected ?? 0,
            RelayFabricDropped = relay.Fabric?.Dropped ?? 0,
            Problems = problems,
        };
    }
}
