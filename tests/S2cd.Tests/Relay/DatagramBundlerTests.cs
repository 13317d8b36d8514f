using System.Buffers.Binary;
using S2cd.Datagram;
using S2cd.Relay;
using S2cd.Wire;

namespace S2cd.Tests.Relay;

/// <summary>
/// The relay's bundling of small frames per receiver while a receive batch is worked through, read back with the
/// daemon's parser (<see cref="MediaBundle.TryNext"/>).
/// </summary>
public sealed class DatagramBundlerTests
{
    private readonly List<(string Receiver, DatagramType Type, byte[] Plaintext)> _sent = [];

    [Fact]
    public void ThreeSendersAudioForOneReceiver_GoInOneBundle_ALoneFrameAsPlainMedia()
    {
        var bundler = new DatagramBundler<string>((receiver, type, plaintext) => _sent.Add((receiver, type, plaintext.ToArray())));
        for (uint sender = 1; sender <= 3; sender++)
        {
            Assert.True(bundler.TryAdd("bob", sender, MediaKind.Audio, 100 + sender, Payload(80, (byte)sender)));
        }

        Assert.True(bundler.TryAdd("carol", 1, MediaKind.Audio, 101, Payload(80, 1)));
        Assert.Empty(_sent);
        bundler.FlushAll();

        var bob = Assert.Single(_sent, s => s.Receiver == "bob");
        Assert.Equal(DatagramType.MediaBundle, bob.Type);
        Assert.Equal([(1u, 101u, (byte)1), (2u, 102u, (byte)2), (3u, 103u, (byte)3)], Items(bob.Plaintext).Select(i => (i.Sender, i.Frame, i.First)));
        var carol = Assert.Single(_sent, s => s.Receiver == "carol");
        Assert.Equal(DatagramType.Media, carol.Type);
        Assert.Equal((1u, 101u, (byte)1), Item(carol.Plaintext));
        Assert.Equal((4, 2), (bundler.Items, bundler.Datagrams));

        // Nothing is left over for the next batch.
        bundler.FlushAll();
        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public void MoreThanADatagramHolds_GoesInSeveral_EachWithinTheLimit_NothingLost()
    {
        var bundler = new DatagramBundler<string>((receiver, type, plaintext) => _sent.Add((receiver, type, plaintext.ToArray())));
        for (uint frame = 1; frame <= 20; frame++)
        {
            Assert.True(bundler.TryAdd("bob", 7, MediaKind.Video, frame, Payload(300, (byte)frame)));
        }

        bundler.FlushAll();
        Assert.All(_sent, s => Assert.InRange(s.Plaintext.Length, 1, DatagramKey.MaxPlaintextBytes));
        Assert.InRange(_sent.Count, 6, 7);
        Assert.Equal(Enumerable.Range(1, 20).Select(f => (uint)f), _sent.SelectMany(s => s.Type == DatagramType.MediaBundle ? Items(s.Plaintext) : [Item(s.Plaintext)]).Select(i => i.Frame));
    }

    [Fact]
    public void AFrameTooLargeForABundle_IsLeftToTheCaller()
    {
        var bundler = new DatagramBundler<string>((receiver, type, plaintext) => _sent.Add((receiver, type, plaintext.ToArray())));
        Assert.False(bundler.TryAdd("bob", 1, MediaKind.Video, 1, Payload(MediaFragment.ChunkBytes, 9)));
        Assert.True(bundler.TryAdd("bob", 1, MediaKind.Video, 1, Payload(MediaFragment.ChunkBytes - MediaBundle.LengthBytes, 9)));
        bundler.FlushAll();
        Assert.Equal(DatagramType.Media, Assert.Single(_sent).Type);
    }

    [Fact]
    public void ABundleCutShort_OrWithAnEmptyItem_IsNotRead()
    {
        ReadOnlyMemory<byte> truncated = new byte[] { 0, 50, 1, 2, 3 };
        Assert.False(MediaBundle.TryNext(ref truncated, out _));
        ReadOnlyMemory<byte> empty = new byte[] { 0, 0, 1 };
        Assert.False(MediaBundle.TryNext(ref empty, out _));
        ReadOnlyMemory<byte> one = new byte[] { 1 };
        Assert.False(MediaBundle.TryNext(ref one, out _));
    }

    private static byte[] Payload(int length, byte first) => [first, .. new byte[length - 1]];

    private static (uint Sender, uint Frame, byte First) Item(ReadOnlySpan<byte> item)
    {
        Assert.True(MediaFragment.TryRead(item[MediaFragment.SenderBytes..], out _, out var frame, out var index, out var count, out var chunk));
        Assert.Equal((0, 1), (index, count));
        return (BinaryPrimitives.ReadUInt32BigEndian(item), frame, chunk[0]);
    }

    private static List<(uint Sender, uint Frame, byte First)> Items(byte[] bundle)
    {
        var items = new List<(uint, uint, byte)>();
        ReadOnlyMemory<byte> rest = bundle;
        while (rest.Length > 0)
        {
            Assert.True(MediaBundle.TryNext(ref rest, out var item));
            items.Add(Item(item.Span));
        }

        return items;
    }
}
