using S2cd.Conference;
using S2cd.Contract;
using S2cd.Transport;

namespace S2cd.Tests.Conference;

public sealed class StatusTextTests
{
    private static readonly ViewStatus InSession = new("standup", "relay:1122", ConnectionState.Connected, 1.25, true, new LinkSecurity(true, "SHA256:x"), true, "123-456-789", false, true, []);

    [Fact]
    public void Devices_AreSaidTheSameWayEverywhere()
    {
        Assert.Equal("off", StatusText.Of(DeviceState.Off));
        Assert.Equal("on: /dev/video0", StatusText.Of(DeviceState.On("/dev/video0")));
        Assert.Equal("unavailable: no camera; retrying every 2.5 s", StatusText.Of(DeviceState.Unavailable("no camera", TimeSpan.FromSeconds(2.5))));
        Assert.Equal("disabled (Audio:Enabled is false)", StatusText.Of(DeviceState.Disabled("Audio:Enabled is false")));
        Assert.Equal("camera unavailable: no camera", StatusText.ProblemOf("camera", DeviceState.Unavailable("no camera", TimeSpan.FromSeconds(1))));
        Assert.Null(StatusText.ProblemOf("camera", DeviceState.On("x")));
    }

    [Fact]
    public void ViewLine_InAnEncryptedSession_ShowsTheCallCodeAndTheKeys()
    {
        Assert.Equal(
            " standup · relay:1122 connected · call code 123-456-789 · rtt 1.3 ms · 15 fps │ m mute  v camera off  q detach  l leave",
            StatusText.ViewLine(InSession, 15));
    }

    [Fact]
    public void ViewLine_WarnsOfPlainLinksAndMedia_OnlyInASession()
    {
        var plain = InSession with { Security = LinkSecurity.Plain, EndToEnd = false };
        Assert.StartsWith(" standup · relay:1122 connected · NOT ENCRYPTED · NOT END-TO-END ENCRYPTED · rtt", StatusText.ViewLine(plain, 15), StringComparison.Ordinal);
        var preview = plain with { Session = null, Relay = null, Connection = ConnectionState.Idle, RoundTripMs = null };
        Assert.Equal(" preview · 0 fps │ m mute  v camera off  q detach  l leave", StatusText.ViewLine(preview, 0));
        Assert.StartsWith(" not in a session", StatusText.ViewLine(preview with { CameraRunning = false }, 0), StringComparison.Ordinal);
    }

    [Fact]
    public void ViewLine_PutsTheFirstProblemAfterTheKeys_AndCountsTheRest()
    {
        var line = StatusText.ViewLine(InSession with { Muted = true, CameraOn = false, Problems = ["camera unavailable: x", "speaker unavailable: y"] }, 15);
        Assert.EndsWith("│ m unmute  v camera on  q detach  l leave │ camera unavailable: x (and 1 more: s2c-attach status)", line, StringComparison.Ordinal);
    }
}
