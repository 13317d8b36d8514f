using System.Security.Cryptography;
using S2cd.Datagram;
using S2cd.Security;
using S2cd.Wire;

namespace S2cd.Tests.Datagram;

/// <summary>The datagram path's pieces on their own: sealing, the replay window, fragments and putting them together.</summary>
public sealed class DatagramLayerTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(DatagramKey.KeyBytes);

    [Fact]
    public void ASealedDatagram_Opens_OnlyUnchanged_InItsDirection_AndUnderItsKey()
    {
        using var key = new DatagramKey(Key);
        var datagram = new byte[DatagramKey.MaxDatagramBytes];
        var length = key.Seal(DatagramType.Media, 77, 5, DatagramKey.Upstream, "hello"u8, datagram);
        var sent = datagram.AsSpan(0, length).ToArray();
        var plaintext = new byte[DatagramKey.MaxPlaintextBytes];

        Assert.True(DatagramKey.TryReadToken(sent, out var token));
        Assert.Equal(77u, token);
        Assert.True(key.TryOpen(sent, DatagramKey.Upstream, out var type, out var sequence, plaintext, out var opened));
        Assert.Equal((DatagramType.Media, 5UL), (type, sequence));
        Assert.Equal("hello"u8.ToArray(), plaintext[..opened]);

        Assert.False(key.TryOpen(sent, DatagramKey.Downstream, out _, out _, plaintext, out _));
        using var other = new DatagramKey(RandomNumberGenerator.GetBytes(DatagramKey.KeyBytes));
        Assert.False(other.TryOpen(sent, DatagramKey.Upstream, out _, out _, plaintext, out _));
        for (var i = 0; i < sent.Length; i++)
        {
            var tampered = sent.ToArray();
            tampered[i] ^= 0x01;
            Assert.False(key.TryOpen(tampered, DatagramKey.Upstream, out _, out _, plaintext, out _));
        }

        Assert.False(key.TryOpen(sent.AsSpan(0, DatagramKey.HeaderBytes + 3), DatagramKey.Upstream, out _, out _, plaintext, out _));
    }

    [Fact]
    public void TheReplayWindow_TakesEachNumberOnce_InAnyOrder_AndNothingOlderThanItsWidth()
    {
        var window = new ReplayWindow(DatagramKey.ReplayWindowSize);
        Assert.True(window.TryAccept(10));
        Assert.False(window.TryAccept(10));
        Assert.True(window.TryAccept(12));
        Assert.True(window.TryAccept(11));
        Assert.False(window.TryAccept(11));
        Assert.True(window.TryAccept(5000));
        Assert.False(window.TryAccept(5000 - (ulong)window.Size));
        Assert.True(window.TryAccept(5000 - (ulong)window.Size + 1));
        Assert.False(window.TryAccept(12));

        // A slot the window slides over is free again for its new number: 1124 shares 100's slot.
        var sliding = new ReplayWindow(DatagramKey.ReplayWindowSize);
        Assert.True(sliding.TryAccept(100));
        Assert.True(sliding.TryAccept(1123));
        Assert.True(sliding.TryAccept(1130));
        Assert.True(sliding.TryAccept(1124));
        Assert.False(sliding.TryAccept(1124));
    }

    [Fact]
    public void AFragmentedFrame_IsPutTogetherInAnyOrder_AndAnUnfinishedOneGivesWayToANewerFrame()
    {
        var payload = RandomNumberGenerator.GetBytes((MediaFragment.ChunkBytes * 3) + 100);
        var count = MediaFragment.Count(payload.Length);
        Assert.Equal(4, count);
        var reassembler = new Reassembler();
        ReadOnlyMemory<byte> whole = default;
        var completed = 0;
        foreach (var index in new[] { 3, 0, 2, 1 })
        {
            Assert.True(Read(Fragment(payload, 7, index, count), out var kind, out var frame, out var i, out var n, out var chunk));
            if (reassembler.TryAdd(9, kind, frame, i, n, chunk.ToArray(), out whole))
            {
                completed++;
            }
        }

        Assert.Equal(1, completed);
        Assert.Equal(payload, whole.ToArray());

        // Frame 8 misses a fragment; frame 9 arrives: 8 is dropped, 9 completes, late pieces of 8 are refused.
        Add(reassembler, payload, 8, 0, count);
        Add(reassembler, payload, 8, 1, count);
        for (var index = 0; index < count - 1; index++)
        {
            Assert.False(Add(reassembler, payload, 9, index, count));
        }

        Assert.True(Add(reassembler, payload, 9, count - 1, count));
        Assert.False(Add(reassembler, payload, 8, 2, count));
        Assert.Equal(2, reassembler.Dropped);

        // A payload of one fragment is whole as it comes, even behind newer ones: audio is ordered by the jitter buffer.
        var small = new byte[] { 1, 2, 3 };
        Assert.True(reassembler.TryAdd(9, MediaKind.Video, 3, 0, 1, small, out var alone));
        Assert.Equal(small, alone.ToArray());
    }

    [Theory]
    [InlineData(0, 2, 10)]        // kind 0
    [InlineData(3, 0, 1)]         // text: a chat message never travels as a datagram
    [InlineData(1, 0, 0)]         // count 0
    [InlineData(1, 3, 3)]         // index past the count
    public void AMalformedFragment_IsRefused(byte kind, byte index, byte count)
    {
        var fragment = new byte[MediaFragment.HeaderBytes + 10];
        fragment[0] = kind;
        fragment[5] = index;
        fragment[6] = count;
        Assert.False(MediaFragment.TryRead(fragment, out _, out _, out _, out _, out _));
    }

    [Fact]
    public void AShortFragmentThatIsNotTheLast_IsRefused()
    {
        var fragment = new byte[MediaFragment.HeaderBytes + 10];
        var written = MediaFragment.Write(fragment, MediaKind.Video, 1, 0, 2, new byte[10]);
        Assert.False(MediaFragment.TryRead(fragment.AsSpan(0, written), out _, out _, out _, out _, out _));
    }

    private static bool Add(Reassembler reassembler, byte[] payload, uint frame, int index, int count)
    {
        Assert.True(Read(Fragment(payload, frame, index, count), out var kind, out var f, out var i, out var n, out var chunk));
        return reassembler.TryAdd(9, kind, f, i, n, chunk.ToArray(), out _);
    }

    private static byte[] Fragment(byte[] payload, uint frame, int index, int count)
    {
        var fragment = new byte[DatagramKey.MaxPlaintextBytes];
        var length = MediaFragment.Write(fragment, MediaKind.Video, frame, index, count, MediaFragment.Chunk(payload, index));
        return fragment[..length];
    }

    private static bool Read(byte[] fragment, out MediaKind kind, out uint frame, out int index, out int count, out ReadOnlySpan<byte> chunk) =>
        MediaFragment.TryRead(fragment, out kind, out frame, out index, out count, out chunk);
}
