using S2cd.Conference;
using S2cd.Wire;

namespace S2cd.Tests.Conference;

public sealed class MembershipTests
{
    [Fact]
    public void Welcome_ListsTheOthers_NotOurselves_NorInvalidNames()
    {
        var membership = new Membership();
        var present = membership.Welcome(2, [new WireMember(1, MemberFlags.Muted, "alice"), new WireMember(2, MemberFlags.None, "me"), new WireMember(3, MemberFlags.None, "bad\u0007name")]);
        Assert.Equal(2u, membership.SelfId);
        var alice = Assert.Single(present);
        Assert.Equal(("alice", true, false), (alice.Name, alice.Muted, alice.CameraOn));
        Assert.True(membership.Contains(1));
        Assert.False(membership.Contains(2));
        Assert.False(membership.Contains(3));
    }

    [Fact]
    public void Presence_JoinChangeLeave_SayWhatHappened_AndIgnoreUsAndStrangersLeaving()
    {
        var membership = new Membership();
        membership.Welcome(5, []);
        Assert.Equal(Membership.ChangeKind.Joined, membership.Apply(PresenceEvent.Joined, new WireMember(7, MemberFlags.CameraOn, "bob"))!.Value.Kind);
        var changed = membership.Apply(PresenceEvent.Changed, new WireMember(7, MemberFlags.Muted, "bobby"))!.Value;
        Assert.Equal((Membership.ChangeKind.Changed, "bobby", true, false), (changed.Kind, changed.Member.Name, changed.Member.Muted, changed.Member.CameraOn));
        Assert.Equal(Membership.ChangeKind.Appeared, membership.Apply(PresenceEvent.Changed, new WireMember(8, MemberFlags.None, "carol"))!.Value.Kind);
        Assert.Null(membership.Apply(PresenceEvent.Changed, new WireMember(5, MemberFlags.Muted, "me")));
        Assert.Null(membership.Apply(PresenceEvent.Left, new WireMember(9, MemberFlags.None, "stranger")));
        var left = membership.Apply(PresenceEvent.Left, new WireMember(7, MemberFlags.None, "bobby"))!.Value;
        Assert.Equal((Membership.ChangeKind.Left, 7u), (left.Kind, left.Member.Id));
        Assert.Equal([8u], membership.Others.Select(m => m.Id));
    }

    [Fact]
    public void Presence_WithAnInvalidName_IsAProtocolError()
    {
        var membership = new Membership();
        membership.Welcome(1, []);
        var error = Assert.Throws<WireProtocolException>(() => membership.Apply(PresenceEvent.Joined, new WireMember(2, MemberFlags.None, "")));
        Assert.Equal(WireError.InvalidName, error.Code);
        Assert.Equal(0, membership.Count);
    }

    [Fact]
    public void ClearAndReset_ForgetTheMembers_AndResetForgetsOurId()
    {
        var membership = new Membership();
        membership.Welcome(1, [new WireMember(2, MemberFlags.None, "a"), new WireMember(3, MemberFlags.None, "b")]);
        Assert.Equal(2, membership.Clear().Count);
        Assert.Equal(0, membership.Count);
        Assert.Equal(1u, membership.SelfId);
        membership.Reset();
        Assert.Equal(0u, membership.SelfId);
    }
}
