using System.Buffers;
using System.Text;
using S2cd.Relay.Fabric;
using S2cd.Wire;

namespace S2cd.Tests.Fabric;

/// <summary>The fabric's message codec: what it writes it reads back, it writes what relays before it wrote, and every length check refuses.</summary>
public sealed class FabricMessagesTests
{
    private const ulong Node = 0x0102030405060708;
    private static readonly WireMember Ann = new(0x00100001, MemberFlags.Muted | MemberFlags.CameraOn, "Ann 王");
    private static readonly WireMember Bob = new(0x00200002, MemberFlags.CameraOn, "bob");

    private static ReadOnlySpan<byte> Body(byte[] message) => message.AsSpan(FabricMessages.HeaderBytes);

    [Fact]
    public void EveryKind_RoundTrips()
    {
        var presence = FabricMessages.Presence(Node, PresenceEvent.Changed, Ann);
        Assert.True(FabricMessages.TryReadHeader(presence, out var type, out var node));
        Assert.Equal((FabricMessage.Presence, Node), (type, node));
        Assert.True(FabricMessages.TryReadPresence(Body(presence), out var ev, out var member));
        Assert.Equal((PresenceEvent.Changed, Ann), (ev, member));

        Assert.True(FabricMessages.TryReadState(Body(FabricMessages.State(Node, [Ann, Bob])), out var members));
        Assert.Equal([Ann, Bob], members);
        Assert.True(FabricMessages.TryReadState(Body(FabricMessages.State(Node, [])), out var none));
        Assert.Empty(none);
        Assert.True(FabricMessages.TryReadQuery(Body(FabricMessages.Query(Node))));

        var media = new byte[FabricMessages.MediaHeaderBytes + 3];
        Assert.Equal(media.Length, FabricMessages.WriteMedia(media, Node, 7, MediaKind.Audio, new ReadOnlySequence<byte>([1, 2, 3])));
        Assert.True(FabricMessages.TryReadMedia(Body(media), out var sender, out var kind));
        Assert.Equal((7u, MediaKind.Audio), (sender, kind));
        Assert.Equal([1, 2, 3], media[FabricMessages.MediaHeaderBytes..]);

        var signal = FabricMessages.Signal(Node, 7, 9, new ReadOnlySequence<byte>([4, 5]));
        Assert.True(FabricMessages.TryReadSignal(Body(signal), out var from, out var target));
        Assert.Equal((7u, 9u), (from, target));
        Assert.Equal([4, 5], signal[FabricMessages.SignalHeaderBytes..]);
    }

    [Fact]
    public void TheBytes_AreThoseRelaysWroteBefore_WithBinaryWriter()
    {
        var old = new MemoryStream();
        using (var w = new BinaryWriter(old, Encoding.UTF8, leaveOpen: true))
        {
            w.Write((byte)FabricMessage.State);
            w.Write(Node);
            w.Write((ushort)2);
            foreach (var m in new[] { Ann, Bob })
            {
                w.Write(m.Id);
                w.Write((byte)m.Flags);
                w.Write(m.Name);
            }
        }

        Assert.Equal(old.ToArray(), FabricMessages.State(Node, [Ann, Bob]));
    }

    [Fact]
    public void EveryTruncation_IsRefused()
    {
        Assert.False(FabricMessages.TryReadHeader(new byte[FabricMessages.HeaderBytes - 1], out _, out _));
        var presence = Body(FabricMessages.Presence(Node, PresenceEvent.Joined, Ann)).ToArray();
        var state = Body(FabricMessages.State(Node, [Ann, Bob])).ToArray();
        for (var length = 0; length < presence.Length; length++)
        {
            Assert.False(FabricMessages.TryReadPresence(presence.AsSpan(0, length), out _, out _), $"presence cut to {length} bytes");
        }

        for (var length = 0; length < state.Length; length++)
        {
            Assert.False(FabricMessages.TryReadState(state.AsSpan(0, length), out _), $"state cut to {length} bytes");
        }

        for (var length = 0; length < FabricMessages.MediaHeaderBytes - FabricMessages.HeaderBytes; length++)
        {
            Assert.False(FabricMessages.TryReadMedia(new byte[length], out _, out _), $"media cut to {length} bytes");
        }

        for (var length = 0; length < FabricMessages.SignalHeaderBytes - FabricMessages.HeaderBytes; length++)
        {
            Assert.False(FabricMessages.TryReadSignal(new byte[length], out _, out _), $"signal cut to {length} bytes");
        }
    }

    [Fact]
    public void TrailingBytes_AreRefused()
    {
        Assert.False(FabricMessages.TryReadPresence([.. Body(FabricMessages.Presence(Node, PresenceEvent.Joined, Ann)), 0], out _, out _));
        Assert.False(FabricMessages.TryReadState([.. Body(FabricMessages.State(Node, [Ann])), 0], out _));
        Assert.False(FabricMessages.TryReadQuery([0]));
    }

    [Fact]
    public void CountsNamesAndKinds_OutOfBounds_AreRefused()
    {
        // A count the bytes cannot hold (no room is made for it), a name of length 0, one past the end, one longer
        // than a display name can be, one that is not UTF-8; an unknown presence event and media kind.
        Assert.False(FabricMessages.TryReadState([0xFF, 0xFF, .. Body(FabricMessages.State(Node, [Ann])).ToArray()[2..]], out _));
        Assert.False(FabricMessages.TryReadPresence([1, 1, 0, 0, 0, 0, 0], out _, out _));
        Assert.False(FabricMessages.TryReadPresence([1, 1, 0, 0, 0, 0, 4, (byte)'a', (byte)'b'], out _, out _));
        byte[] longName = [1, 1, 0, 0, 0, 0, FabricMessages.MaxNameBytes + 1, .. Enumerable.Repeat((byte)'a', FabricMessages.MaxNameBytes + 1)];
        Assert.False(FabricMessages.TryReadPresence(longName, out _, out _));
        Assert.False(FabricMessages.TryReadPresence([1, 1, 0, 0, 0, 0, 2, 0xC3, 0x28], out _, out _));
        Assert.True(FabricMessages.TryReadPresence([1, 1, 0, 0, 0, 0, 1, (byte)'a'], out _, out _));
        Assert.False(FabricMessages.TryReadPresence([9, 1, 0, 0, 0, 0, 1, (byte)'a'], out _, out _));
        Assert.False(FabricMessages.TryReadMedia([1, 0, 0, 0, 5], out _, out _));
        Assert.False(FabricMessages.TryReadMedia([1, 0, 0, 0, 0], out _, out _));
        foreach (var kind in new[] { MediaKind.Video, MediaKind.Audio, MediaKind.Text, MediaKind.Screen })
        {
            Assert.True(FabricMessages.TryReadMedia([1, 0, 0, 0, (byte)kind], out _, out _));
        }
    }

    [Fact]
    public void ANameLongerThanTheFabricTakes_IsNotWritten()
    {
        Assert.Throws<ArgumentException>(() => FabricMessages.Presence(Node, PresenceEvent.Joined, new WireMember(1, 0, new string('王', FabricMessages.MaxNameBytes))));
    }
}
