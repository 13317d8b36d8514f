using S2cd.Conference;
using S2cd.Contract;
using S2cd.Transport;

namespace S2cd.Tests.Conference;

public sealed class StatusTextTests
{
    private static readonly ViewStatus InSession = new("standup", "relay:1122", ConnectionState.Connected, 1.25, true, new LinkSecurity(true, "SHA256:x"), true, "123-456-789", false, true, []);

    [Fact]
    public void TypedStatus_IsSaidTheSameWayEverywhere()
    {
        Assert.Equal("off", StatusWords.Of(DeviceStatus.Off));
        Assert.Equal("on: /dev/video0", StatusWords.Of(DeviceStatus.On("/dev/video0")));
        Assert.Equal("unavailable: no camera; retrying every 2.5 s", StatusWords.Of(DeviceStatus.Unavailable("no camera", TimeSpan.FromSeconds(2.5))));
        Assert.Equal("disabled (Audio:Enabled is false)", StatusWords.Of(DeviceStatus.Disabled("Audio:Enabled is false")));
        Assert.Equal("camera unavailable: no camera", StatusWords.Of(new Problem(ProblemKind.CameraUnavailable, "no camera")));
        Assert.Equal("the audio service stopped: boom; restarting", StatusWords.Of(new Problem(ProblemKind.ServiceStopped, "boom", "audio")));
        Assert.Equal("udp", StatusWords.Of(new MediaPathStatus(MediaPathKind.Udp)));
        Assert.Equal("tls (UDP blocked?)", StatusWords.Of(new MediaPathStatus(MediaPathKind.Tls, "UDP blocked?")));
        Assert.Equal("AES-256-GCM under per-sender keys; keys from 1 of 2 other members (2 verified)", StatusWords.Of(new EndToEndStatus(EndToEndState.On, 1, 2, 2)));
        Assert.Equal("refused: not signed", StatusWords.Of(Trust.Refused, "not signed"));
        Assert.Equal("TLS 1.3 to the relay, certificate SHA256:x", StatusWords.Of(new EncryptionStatus(LinkEncryption.Tls, "SHA256:x")));
    }

    [Fact]
    public void ViewLine_InAnEncryptedSession_ShowsTheCallCodeAndTheKeys()
    {
        Assert.Equal(
            " standup · relay:1122 connected · call code 123-456-789 · rtt 1.3 ms · 15/20 fps │ m mute  v camera off  t chat  q detach  l leave  ? keys",
            StatusText.ViewLine(InSession, 15, 20));
    }

    [Fact]
    public void ViewLine_MarksMessagesThatCameWhileTheChatWasHidden()
    {
        Assert.Contains(" · 15 fps · ✉ 3 new (c) │ m mute", StatusText.ViewLine(InSession, 15, unread: 3), StringComparison.Ordinal);
        Assert.DoesNotContain("✉", StatusText.ViewLine(InSession, 15, unread: 0), StringComparison.Ordinal);
    }

    [Fact]
    public void ViewLine_WarnsOfPlainLinksAndMedia_OnlyInASession()
    {
        var plain = InSession with { Security = LinkSecurity.Plain, EndToEnd = false };
        Assert.StartsWith(" standup · relay:1122 connected · NOT ENCRYPTED · NOT END-TO-END ENCRYPTED · rtt", StatusText.ViewLine(plain, 15), StringComparison.Ordinal);
        var preview = plain with { Session = null, Relay = null, Connection = ConnectionState.Idle, RoundTripMs = null };
        Assert.Equal(" preview · 0 fps │ m mute  v camera off  t chat  q detach  l leave  ? keys", StatusText.ViewLine(preview, 0));
        Assert.StartsWith(" not in a session", StatusText.ViewLine(preview with { CameraRunning = false }, 0), StringComparison.Ordinal);
    }

    [Fact]
    public void ViewLine_PutsTheFirstProblemAfterTheKeys_AndCountsTheRest()
    {
        var line = StatusText.ViewLine(InSession with { Muted = true, CameraOn = false, Problems = [new Problem(ProblemKind.CameraUnavailable, "x"), new Problem(ProblemKind.SpeakerUnavailable, "y")] }, 15);
        Assert.EndsWith("│ m unmute  v camera on  t chat  q detach  l leave  ? keys │ camera unavailable: x (and 1 more: s2c-attach status)", line, StringComparison.Ordinal);
    }
}
