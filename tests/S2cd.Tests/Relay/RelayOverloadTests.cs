using S2cd.Relay;
using S2cd.Tests.Support;

namespace S2cd.Tests.Relay;

public sealed class RelayOverloadTests
{
    private readonly ManualTimeProvider _time = new();
    private TimeSpan _cpu;

    [Fact]
    public void PastMaxLoad_ItIsBusy_AndThinsVideoAStepASample_BackUnderItVideoReturns()
    {
        using var overload = new RelayOverload(80, _time, Cpu);
        overload.Prime();
        Step(overload, 0.5);
        Assert.False(overload.Busy);
        Assert.Equal(0, overload.Step);
        Assert.Equal(8, Forwarded(overload, 8));

        // Over 80% of the machine: busy, and each sample halves the video once more, down to none.
        Step(overload, 0.95);
        Step(overload, 0.95);
        Assert.True(overload.Busy);
        Assert.Contains("relay busy", overload.BusyReason, StringComparison.Ordinal);
        var step = overload.Step;
        Assert.InRange(step, 1, 2);
        Assert.Equal(8 >> step, Forwarded(overload, 8));
        for (var i = 0; i < 6; i++)
        {
            Step(overload, 0.95);
        }

        Assert.Equal(RelayOverload.NoVideo, overload.Step);
        Assert.Equal(0, Forwarded(overload, 8));
        Assert.True(overload.VideoShed > 0);

        // Between 70 and 80: still busy, no change; under 70: video comes back step by step, then not busy.
        Step(overload, 0.75);
        Step(overload, 0.75);
        Assert.True(overload.Busy);
        Assert.Equal(RelayOverload.NoVideo, overload.Step);
        for (var i = 0; i < 8; i++)
        {
            Step(overload, 0.2);
        }

        Assert.False(overload.Busy);
        Assert.Equal(0, overload.Step);
    }

    [Fact]
    public void ATimerFiringLate_IsOverloadWhateverTheCpu()
    {
        using var overload = new RelayOverload(80, _time, Cpu);
        overload.Prime();
        Step(overload, 0.1);
        Assert.False(overload.Busy);
        // One late tick is a pause; two running are overload.
        _time.Advance(RelayOverload.Interval + TimeSpan.FromMilliseconds(300));
        overload.Sample();
        Assert.False(overload.Busy);
        _time.Advance(RelayOverload.Interval + TimeSpan.FromMilliseconds(300));
        overload.Sample();
        Assert.True(overload.Busy);
    }

    [Fact]
    public void TestLoad_StandsInForTheMeasurement_LatenessToo()
    {
        using var overload = new RelayOverload(90, _time, Cpu, testLoad: 95);
        overload.Prime();
        Step(overload, 0);
        Assert.True(overload.Busy);
        Assert.Equal(95, overload.Load);
    }

    private static int Forwarded(RelayOverload overload, int frames)
    {
        uint counter = 0;
        return Enumerable.Range(0, frames).Count(_ => overload.TakeVideo(ref counter));
    }

    /// <summary>Half a second in which the relay used this share of all cores, then a sample on time.</summary>
    private void Step(RelayOverload overload, double share)
    {
        _time.Advance(RelayOverload.Interval);
        _cpu += TimeSpan.FromSeconds(RelayOverload.Interval.TotalSeconds * Environment.ProcessorCount * share);
        overload.Sample();
    }

    private TimeSpan Cpu() => _cpu;
}
