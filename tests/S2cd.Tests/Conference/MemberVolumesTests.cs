using S2cd.Conference;

namespace S2cd.Tests.Conference;

public sealed class MemberVolumesTests
{
    [Fact]
    public void TheMixersMap_FollowsTheMembers_ByName_ForTheSession()
    {
        var volumes = new MemberVolumes();
        volumes.Members("standup", new Dictionary<uint, string> { [1] = "ann", [2] = "bob" });
        volumes.Set("standup", "ann", 40);
        Assert.Equal((40, 100), (volumes.Of(1), volumes.Of(2)));

        // Ann comes back as member 7: her volume goes with her name.
        volumes.Members("standup", new Dictionary<uint, string> { [2] = "bob", [7] = "ann" });
        Assert.Equal((100, 40), (volumes.Of(1), volumes.Of(7)));
        Assert.Equal(40, volumes.Of("standup", "ann"));

        // Another session starts at 100 % for everyone.
        volumes.Members("retro", new Dictionary<uint, string> { [9] = "ann" });
        Assert.Equal(100, volumes.Of(9));
        Assert.Equal(100, volumes.Of("standup", "ann"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(MemberVolumes.MaxPercent + 1)]
    public void AVolumeOutOfRange_IsRefused_AndChangesNothing(int percent)
    {
        var volumes = new MemberVolumes();
        volumes.Members("standup", new Dictionary<uint, string> { [1] = "ann" });
        volumes.Set("standup", "ann", 60);
        Assert.Throws<ArgumentException>(() => volumes.Set("standup", "ann", percent));
        Assert.Equal(60, volumes.Of(1));
    }
}
