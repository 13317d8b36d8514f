using S2cd.Conference;

namespace S2cd.Tests.Conference;

public sealed class CameraDemandTests
{
    [Fact]
    public async Task APreview_WakesTheCamera_AndEndsOnce()
    {
        var demand = new CameraDemand();
        var ended = 0;
        var woken = demand.WaitAsync(TestContext.Current.CancellationToken);
        var first = demand.StartPreview(() => ended++);
        var second = demand.StartPreview(() => ended++);
        await woken.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(demand.Previewing);

        first.Dispose();
        first.Dispose();
        Assert.True(demand.Previewing, "one preview still runs");
        Assert.Equal(1, ended);
        second.Dispose();
        Assert.False(demand.Previewing);
        Assert.Equal(2, ended);
    }
}
