using S2cd.Control;

namespace S2cd.Tests.Control;

public sealed class OutputRateTests
{
    private const long Frequency = 1_000_000;

    [Fact]
    public void BeforeAnythingIsMeasured_ThereIsNoBudget() => Assert.Null(new OutputRate().FrameBudget);

    [Fact]
    public void AFrameThatTakesLongToWrite_SetsABudgetOfAFractionOfASecondOfOutput()
    {
        // 64 KB written in a second, twice: 64 KB/s, so a frame may take 0.08 s of it.
        var rate = new OutputRate();
        var now = 1_000_000L;
        for (var i = 0; i < 2; i++)
        {
            rate.Returned(new string('x', 64 * 1024), now);
            now += Frequency;
            rate.Asked(now, Frequency);
        }

        Assert.Equal(64 * 1024, rate.BytesPerSecond, 1.0);
        Assert.Equal((int)(64 * 1024 * OutputRate.FrameSeconds), rate.FrameBudget);
    }

    [Fact]
    public void AFastTerminal_HasNoBudget_AndAVerySlowOneTheFloor()
    {
        var fast = new OutputRate();
        fast.Returned(new string('x', 60_000), 1_000_000);
        fast.Asked(1_001_000, Frequency);
        Assert.Null(fast.FrameBudget);

        var slow = new OutputRate();
        slow.Returned(new string('x', 8_000), 1_000_000);
        slow.Asked(1_000_000 + (4 * Frequency), Frequency);
        Assert.Equal(3 * 1024, slow.FrameBudget);
    }

    [Fact]
    public void SmallFrames_SayNothingAboutTheOutput()
    {
        var rate = new OutputRate();
        rate.Returned(new string('x', 500), 1_000_000);
        rate.Asked(1_000_000 + Frequency, Frequency);
        Assert.Null(rate.FrameBudget);
        Assert.Equal(0, rate.BytesPerSecond);
    }
}
