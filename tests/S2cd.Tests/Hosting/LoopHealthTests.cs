using S2cd.Hosting;
using S2cd.Platform;
using S2cd.Tests.Support;

namespace S2cd.Tests.Hosting;

public sealed class LoopHealthTests
{
    [Fact]
    public void ALoopThatStopsBeating_IsNamed_UnlessItWaitsByDesign()
    {
        var time = new ManualTimeProvider();
        var health = new LoopHealth(time);
        var camera = health.Register("camera");
        var speaker = health.Register("speaker");
        Assert.Null(health.Problem(TimeSpan.FromSeconds(5)));

        time.Advance(TimeSpan.FromSeconds(4));
        speaker.Beat();
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("the camera loop has made no progress for 7 s", health.Problem(TimeSpan.FromSeconds(5)));

        camera.Wait();
        Assert.Null(health.Problem(TimeSpan.FromSeconds(5)));
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("the speaker loop has made no progress for 63 s", health.Problem(TimeSpan.FromSeconds(5)));
        speaker.Beat();
        camera.Beat();
        Assert.Null(health.Problem(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void StaleAfter_IsHalfTheWatchdogInterval_ButNeverUnderFiveSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), WatchdogService.StaleAfter(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(5), WatchdogService.StaleAfter(TimeSpan.FromSeconds(1)));
    }
}
