using S2cd.Relay.Fabric;
using S2cd.Tests.Support;
using S2cd.Wire;

namespace S2cd.Tests.Fabric;

/// <summary>Two relays' views of one session, joined by hand instead of NATS: what one publishes, the other learns.</summary>
public sealed class FabricSessionTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 3))];
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void AMemberWithANameNoDaemonMayShow_IsRefused_AndChangesNothing()
    {
        var sent = new List<byte[]>();
        var events = new Events();
        using var a = new FabricSession(Key, "s", 1, (_, data) => sent.Add(data), new Events(), _time);
        using var b = new FabricSession(Key, "s", 2, (_, _) => { }, events, _time);
        a.PublishPresence(PresenceEvent.Joined, new WireMember(7, MemberFlags.None, "evil\u001b[2Jname"));
        a.PublishPresence(PresenceEvent.Joined, new WireMember(0, MemberFlags.None, "zero"));

        // A state with a name of 500 bytes, as a relay that does not check its names would write it (BinaryWriter's
        // layout, a two-byte length): this relay's own codec will not write one.
        var longName = new MemoryStream();
        using (var w = new BinaryWriter(longName, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write((byte)FabricMessage.State);
            w.Write(1UL);
            w.Write((ushort)2);
            w.Write(8u);
            w.Write((byte)0);
            w.Write("ok");
            w.Write(9u);
            w.Write((byte)0);
            w.Write(new string('x', 500));
        }

        using (var seal = new FabricSeal(Key, "s"))
        {
            sent.Add(seal.Seal(longName.ToArray()));
        }

        a.PublishPresence(PresenceEvent.Joined, new WireMember(10, MemberFlags.Muted, "carol"));
        Assert.Equal([false, false, false, true], sent.Select(m => b.OnMessage(m)));
        Assert.Equal([10u], b.RemoteMembers().Select(m => m.Id));
        Assert.Equal([(PresenceEvent.Joined, 10u)], events.Seen);
        Assert.False(b.OnMessage([1, 2, 3]));
    }

    [Fact]
    public void ARelayNotHeardFor3Seconds_HasItsMembersTakenOut()
    {
        var sent = new List<byte[]>();
        var events = new Events();
        using var a = new FabricSession(Key, "s", 1, (_, data) => sent.Add(data), new Events(), _time);
        using var b = new FabricSession(Key, "s", 2, (_, _) => { }, events, _time);
        a.PublishState([new WireMember(5, MemberFlags.None, "alice"), new WireMember(6, MemberFlags.None, "bob")]);
        Assert.True(b.OnMessage(sent[0]));
        _time.Advance(TimeSpan.FromSeconds(2));
        b.Expire();
        Assert.Equal(2, b.RemoteMembers().Length);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        b.Expire();
        Assert.Empty(b.RemoteMembers());
        Assert.Equal([(PresenceEvent.Joined, 5u), (PresenceEvent.Joined, 6u), (PresenceEvent.Left, 5u), (PresenceEvent.Left, 6u)], events.Seen);
    }

    private sealed class Events : IFabricSessionEvents
    {
        public List<(PresenceEvent, uint)> Seen { get; } = [];

        public void RemotePresence(PresenceEvent ev, WireMember member) => Seen.Add((ev, member.Id));

        public void RemoteMedia(uint sender, MediaKind kind, ReadOnlyMemory<byte> payload)
        {
        }

        public void RemoteSignal(uint sender, uint target, ReadOnlyMemory<byte> payload)
        {
        }

        public void StateAsked()
        {
        }
    }
}
