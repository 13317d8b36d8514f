using S2cd.Relay.Fabric;
using Microsoft.Extensions.Time.Testing;

namespace S2cd.Tests.Fabric;

/// <summary>
/// Relays' tags (the top bits of their member ids) on a fabric, with the fabric's subject replaced by a list that
/// delivers each message to every relay: relays drawing the same tag (the same random seed) still end with
/// different tags, whether they claim one after the other, at the same time, or find out after a partition.
/// </summary>
public sealed class FabricTagsTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 5))];
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<FabricTags> _relays = [];
    private bool _split;
    private List<(string, byte[])>? _held;

    [Fact(Timeout = 10_000)]
    public async Task ARelayClaimingATagAnotherHolds_TakesAnother()
    {
        using var a = Relay(node: 1, seed: 42);
        await ClaimAsync(a);

        // Started later: it has heard nothing, draws the same tag, and learns that it is held.
        using var b = Relay(node: 2, seed: 42);
        await ClaimAsync(b);
        Assert.NotEqual(a.Tag, b.Tag);
        Assert.InRange(b.Tag, 1u, (1u << FabricTags.Bits) - 1);
    }

    [Fact(Timeout = 10_000)]
    public async Task TwoRelaysClaimingOneTagAtOnce_TheLowerNodeKeepsIt()
    {
        using var a = Relay(node: 7, seed: 42);
        using var b = Relay(node: 3, seed: 42);
        // Both claims are on their way before either arrives.
        _held = [];
        var claimingA = a.ClaimAsync(Quiet, CancellationToken.None);
        var claimingB = b.ClaimAsync(Quiet, CancellationToken.None);
        var first = a.Tag;
        Assert.Equal(first, b.Tag);
        var held = _held;
        _held = null;
        foreach (var (subject, data) in held)
        {
            Deliver(subject, data);
        }

        await AdvanceUntilAsync(claimingA, claimingB);
        Assert.Equal(first, b.Tag);
        Assert.NotEqual(a.Tag, b.Tag);
    }

    [Fact(Timeout = 10_000)]
    public async Task TwoHoldersOfOneTag_AfterAPartition_TheHigherNodeRetags()
    {
        using var a = Relay(node: 5, seed: 42);
        using var b = Relay(node: 9, seed: 42);
        _split = true;
        await ClaimAsync(a);
        await ClaimAsync(b);
        Assert.Equal(a.Tag, b.Tag);
        var held = a.Tag;
        (uint Old, uint New)? retagged = null;
        b.Retagged += (old, @new) => retagged = (old, @new);
        _split = false;
        a.Tick();
        Assert.Equal(held, a.Tag);
        Assert.NotEqual(held, b.Tag);
        Assert.Equal((held, b.Tag), retagged);
    }

    [Fact]
    public void AMessageOfAnotherFabric_OrOutOfRange_OrMisshapen_IsRefused()
    {
        using var a = Relay(node: 1, seed: 1);
        using var own = new FabricSeal(Key, "\0relay tags");
        using var other = new FabricSeal([.. Key.Select(k => (byte)~k)], "\0relay tags");

        // The control: a well-formed "held" message of this fabric is taken, so the refusals below are the checks'.
        Assert.True(a.OnMessage(own.Seal(Message(type: 2, node: 2, tag: 5))));

        Assert.False(a.OnMessage(other.Seal(Message(type: 2, node: 2, tag: 6))));        // another fabric's key
        Assert.False(a.OnMessage(own.Seal(Message(type: 2, node: 2, tag: 0))));          // tag 0 is never handed out
        Assert.False(a.OnMessage(own.Seal(Message(type: 2, node: 2, tag: 1u << FabricTags.Bits))));  // past the tag bits
        Assert.False(a.OnMessage(own.Seal(Message(type: 3, node: 2, tag: 7))));          // no such message type
        Assert.False(a.OnMessage(own.Seal(Message(type: 2, node: 2, tag: 8)[..12])));    // a byte short
        Assert.False(a.OnMessage(own.Seal([.. Message(type: 2, node: 2, tag: 9), 0])));  // a byte over
        Assert.False(a.OnMessage([1, 2, 3]));                                             // not sealed at all
    }

    /// <summary>A tag message as FabricTags writes it: type, node (8 bytes), tag (4 bytes), little-endian.</summary>
    private static byte[] Message(byte type, ulong node, uint tag)
    {
        var plain = new byte[13];
        plain[0] = type;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(plain.AsSpan(1), node);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(plain.AsSpan(9), tag);
        return plain;
    }

    private FabricTags Relay(ulong node, int seed)
    {
        var relay = new FabricTags(Key, node, Deliver, _time, new Random(seed));
        _relays.Add(relay);
        return relay;
    }

    private void Deliver(string subject, byte[] data)
    {
        if (_split)
        {
            return;
        }

        if (_held is not null)
        {
            _held.Add((subject, data));
            return;
        }

        foreach (var relay in _relays.ToArray())
        {
            Assert.Equal(relay.Subject, subject);
            Assert.True(relay.OnMessage(data));
        }
    }

    private async Task ClaimAsync(FabricTags relay) => await AdvanceUntilAsync(relay.ClaimAsync(Quiet, CancellationToken.None));

    private async Task AdvanceUntilAsync(params Task[] claims)
    {
        while (!claims.All(c => c.IsCompleted))
        {
            await Task.Delay(10);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await Task.WhenAll(claims);
    }
}
