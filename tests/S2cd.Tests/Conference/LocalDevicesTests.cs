using Microsoft.Extensions.Time.Testing;
using S2cd.Conference;
using S2cd.Contract;

namespace S2cd.Tests.Conference;

public sealed class LocalDevicesTests
{
    [Fact]
    public void AChange_IsAnnouncedOnce_AfterTheLockIsReleased()
    {
        var devices = new LocalDevices(new FakeTimeProvider());
        var announced = 0;
        devices.Changed += () =>
        {
            announced++;

            // What a listener does with the news: read the devices, from another thread (the event hub's subscribers).
            Assert.True(Task.Run(() => devices.States).Wait(TimeSpan.FromSeconds(5)), "the devices' lock was held while announcing");
        };

        devices.SetCamera(DeviceStatus.On("/dev/video0"));
        devices.SetCamera(DeviceStatus.On("/dev/video0"));
        devices.SetAudio(DeviceStatus.Disabled("Audio:Enabled is false"));
        Assert.Equal(3, announced);
        Assert.Equal((DeviceStatus.On("/dev/video0"), DeviceStatus.Disabled("Audio:Enabled is false"), DeviceStatus.Disabled("Audio:Enabled is false")), (devices.States.Camera, devices.States.Microphone, devices.States.Speaker));
    }

    [Fact]
    public void OurVoice_IsHeldForAMoment_ThenForgotten()
    {
        var time = new FakeTimeProvider();
        var devices = new LocalDevices(time);
        Assert.Null(devices.OwnVoice());
        devices.SetOwnVoice(23, voice: true);
        Assert.Equal(((byte)23, true), devices.OwnVoice());
        time.Advance(LocalDevices.SpeakingHold - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(devices.OwnVoice());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(devices.OwnVoice());
    }

    [Fact]
    public void Figures_AddUp()
    {
        var devices = new LocalDevices(new FakeTimeProvider());
        devices.SetXruns(capture: true, 3);
        devices.SetXruns(capture: false, 4);
        devices.SetXruns(capture: true, 5);
        devices.CountSent(100);
        devices.CountSent(50);
        Assert.Equal(9, devices.Xruns);
        Assert.Equal((2L, 150L), devices.Sent);
    }
}
