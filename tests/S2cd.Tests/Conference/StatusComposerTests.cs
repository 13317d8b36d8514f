using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Tests.Support;
using S2cd.Transport;
using S2cd.Video;

namespace S2cd.Tests.Conference;

/// <summary>The status composed from its parts: each part's state lands typed, where it belongs, in one place.</summary>
public sealed class StatusComposerTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly LocalDevices _devices;
    private readonly LoopHealth _health;
    private readonly AudioMixer _audio;
    private readonly StatusComposer _composer;
    private readonly Relay _relay = new();

    public StatusComposerTests()
    {
        var daemon = Options.Create(new DaemonOptions { StateDirectory = _root.Sub("state") });
        var trust = new EndToEndTrust(Options.Create(new ConferenceOptions()), daemon, _time, NullLogger<EndToEndTrust>.Instance);
        var pictures = new PictureStore(_time);
        _devices = new LocalDevices(_time);
        _health = new LoopHealth(_time);
        _audio = new AudioMixer(Options.Create(new AudioOptions()), _time);
        _composer = new StatusComposer(daemon, _devices, trust, new VideoSink(pictures, new VideoReceiver(pictures)), _audio, _health, _relay);
    }

    public void Dispose()
    {
        _audio.Dispose();
        _root.Dispose();
    }

    private static CallSnapshot InSession(ConnectionState state = ConnectionState.Connected) => new(
        new CallSettings("ann", Muted: true) { Session = "standup", Relay = "127.0.0.1:1122" },
        new LinkState(state, Security: new LinkSecurity(true, "SHA256:relay")),
        SelfId: 3,
        Others: 2);

    [Fact]
    public void AParticipantsStatus_TakesEachPartTyped_AndListsProblemsMostVisibleFirst()
    {
        _devices.SetCamera(DeviceStatus.Unavailable("no camera", TimeSpan.FromSeconds(2)));
        _devices.SetAudio(capture: false, DeviceStatus.Unavailable("no speaker", TimeSpan.FromSeconds(2)));
        _devices.SetAudio(capture: true, DeviceStatus.On("default"));
        _health.Down("audio", "boom");
        _relay.Now = new RelayFigures("127.0.0.1:1122", null, null, 1, 2, 3, 4, 5, false, 0, null);

        var status = _composer.Of(InSession());
        Assert.Equal((DaemonRole.Participant, "ann", "standup", true, 3), (status.Role, status.Name, status.Session, status.Muted, status.Participants));
        Assert.Equal(DeviceStatus.On("default"), status.Microphone);
        Assert.Equal(new EncryptionStatus(LinkEncryption.Tls, "SHA256:relay"), status.Encryption);
        Assert.Equal(EndToEndState.WaitingForRelay, status.EndToEnd?.State);
        Assert.Equal(
            [new Problem(ProblemKind.CameraUnavailable, "no camera"), new Problem(ProblemKind.SpeakerUnavailable, "no speaker"), new Problem(ProblemKind.ServiceStopped, "boom", "audio")],
            status.Problems);
        Assert.Equal(("127.0.0.1:1122", 1, 2, 3L, 4L), (status.RelayListen, status.RelaySessions, status.RelayConnections, status.RelayDatagramsReceived, status.RelayDatagramsRejected));
    }

    [Fact]
    public void OutsideASession_NothingOfTheCallIsShown()
    {
        var status = _composer.Of(new CallSnapshot(new CallSettings("ann"), LinkState.Idle, 0, 0));
        Assert.Equal((null, null, null, 0), (status.Encryption, status.EndToEnd, status.MediaPath, status.Participants));
        Assert.Null(status.RelayListen);
    }

    [Fact]
    public void ARelaysStatus_SaysItsFabricAndItsWebFrontsProblem()
    {
        var status = StatusComposer.OfRelay("relay-1", new RelayFigures("[::]:1122", "http://127.0.0.1:8122", "address in use", 7, 9, 0, 0, 12.5, true, 4, new RelayFabricFigures(false, 1, 2, 3, 4)));
        Assert.Equal((DaemonRole.Relay, FabricState.Reconnecting, true, 4L), (status.Role, status.RelayFabric, status.RelayBusy, status.RelayFabricDropped));
        Assert.Equal([new Problem(ProblemKind.WebFrontNotServing, "address in use")], status.Problems);
    }

    private sealed class Relay : IRelayFigures
    {
        public RelayFigures? Now { get; set; }

        public RelayFigures? Figures() => Now;
    }
}
