using S2cd.Conference;
using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Tests.Conference;

/// <summary>The call's state machine alone: what each step changes and what it hands back to act on.</summary>
public sealed class CallStateTests
{
    private static WireMember Member(uint id, string name, MemberFlags flags = MemberFlags.CameraOn) => new(id, flags, name);

    [Fact]
    public void AStay_BeginsWelcomedAndEnds_KeepingWhoWeAre()
    {
        var state = new CallState("ann");
        state.Change(c => c with { Muted = true });
        state.Begin("standup", "127.0.0.1:1122", name: null, passphraseKey: [1, 2]);
        Assert.True(state.SetState(ConnectionState.Connecting, null));
        Assert.False(state.SetState(ConnectionState.Connecting, null));

        var (present, call, members) = state.Welcome(5, [Member(7, "bob"), Member(9, "cy")]);
        Assert.Equal(["bob", "cy"], present.Select(p => p.Name));
        Assert.Equal(("standup", true), (call.Session, call.Muted));
        Assert.Equal(new Dictionary<uint, string> { [7] = "bob", [9] = "cy" }, members.Names);
        Assert.Equal((5u, 2), (state.Snapshot().SelfId, state.Snapshot().Others));
        var (list, session) = state.Participants(previewing: false);
        Assert.Equal(("standup", "ann", true), (session, list[0].Name, list[0].IsSelf));

        state.End();
        var after = state.Snapshot();
        Assert.Equal((null, null, null, "ann", true), (after.Call.Session, after.Call.Relay, after.Call.PassphraseKey, after.Call.Name, after.Call.Muted));
        Assert.Empty(state.Participants(previewing: false).List);
        Assert.Single(state.Participants(previewing: true).List);
    }

    [Fact]
    public void Presence_ChangesOneMember_AndADropClearsThemAll()
    {
        var state = new CallState("ann");
        state.Begin("standup", "r:1", null, null);
        state.Welcome(5, [Member(7, "bob")]);
        var joined = state.Apply(PresenceEvent.Joined, Member(9, "cy"));
        Assert.Equal(Membership.ChangeKind.Joined, joined?.Change.Kind);
        Assert.True(state.IsMember(9));
        Assert.Equal("standup", state.SessionWithMember("cy"));
        Assert.Throws<ArgumentException>(() => state.SessionWithMember("dee"));

        var (gone, members) = state.ClearMembers();
        Assert.Equal(2, gone.Count);
        Assert.Empty(members.Names);
        Assert.False(state.IsMember(7));
    }

    [Fact]
    public void OutsideASession_AVolumeIsRefused()
    {
        var state = new CallState("ann");
        Assert.Throws<InvalidOperationException>(() => state.SessionWithMember("bob"));
    }

    [Fact]
    public void TheLink_IsSwapped_AndReportsOnlyWhenConnected()
    {
        var state = new CallState("ann");
        Assert.Null(state.SwapLink(null));
        state.Secured(new LinkSecurity(true, "SHA256:x"));
        Assert.Equal("SHA256:x", state.Snapshot().Link.Security?.CertificateFingerprint);
        var (_, link, self) = state.Change(c => c with { CameraOn = false });
        Assert.Null(link);
        Assert.False(self.CameraOn);
    }
}
