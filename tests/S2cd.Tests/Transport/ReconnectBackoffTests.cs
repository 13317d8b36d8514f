using S2cd.Transport.RelayLink;

namespace S2cd.Tests.Transport;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Delay_DoublesFromAQuarterSecond_UpToTheCeiling()
    {
        var max = TimeSpan.FromSeconds(5);
        Assert.Equal([0.25, 0.5, 1, 2, 4, 5, 5, 5], Enumerable.Range(0, 8).Select(a => ReconnectBackoff.Delay(a, max, 0.5).TotalSeconds));
        Assert.Equal(1, ReconnectBackoff.Delay(100, TimeSpan.FromSeconds(1), 0.5).TotalSeconds);
    }

    [Fact]
    public void Delay_SpreadsDaemonsOverPlusMinusTwentyPercent()
    {
        var max = TimeSpan.FromSeconds(5);
        Assert.Equal(1.6, ReconnectBackoff.Delay(3, max, 0).TotalSeconds, 6);
        Assert.Equal(2.4, ReconnectBackoff.Delay(3, max, 0.999999).TotalSeconds, 3);
    }
}
