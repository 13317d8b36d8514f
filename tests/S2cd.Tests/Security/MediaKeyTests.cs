using System.Security.Cryptography;
using S2cd.Security;
using S2cd.Wire;

namespace S2cd.Tests.Security;

public sealed class MediaKeyTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(MediaKey.SecretBytes);

    [Fact]
    public void Seal_ThenOpen_GivesThePlaintextBack_AndTheHeaderCarriesKeyIdAndCounter()
    {
        using var key = new MediaKey(7, Secret);
        byte[] plaintext = [.. "a picture, or a tone"u8];
        var sealedFrame = new byte[plaintext.Length + MediaKey.Overhead];
        key.Seal(42, 3, MediaKind.Video, plaintext, sealedFrame);

        Assert.True(MediaKey.TryReadHeader(sealedFrame, out var keyId, out var counter));
        Assert.Equal((7u, 42ul), (keyId, counter));
        Assert.Equal(-1, sealedFrame.AsSpan().IndexOf(plaintext.AsSpan(0, 8)));
        var opened = new byte[plaintext.Length];
        using var receiver = new MediaKey(7, Secret);
        Assert.True(receiver.TryOpen(sealedFrame, counter, 3, MediaKind.Video, opened));
        Assert.Equal(plaintext, opened);
    }

    [Theory]
    [InlineData(0)] // version
    [InlineData(3)] // key id
    [InlineData(10)] // counter
    [InlineData(15)] // ciphertext
    [InlineData(-1)] // tag
    public void AnyChangedByte_DoesNotOpen(int at)
    {
        using var key = new MediaKey(1, Secret);
        var sealedFrame = new byte[10 + MediaKey.Overhead];
        key.Seal(5, 9, MediaKind.Audio, new byte[10], sealedFrame);
        sealedFrame[at < 0 ? sealedFrame.Length + at : at] ^= 1;
        var ok = MediaKey.TryReadHeader(sealedFrame, out _, out var counter) && key.TryOpen(sealedFrame, counter, 9, MediaKind.Audio, new byte[10]);
        Assert.False(ok);
    }

    [Fact]
    public void TheSenderIdAndKind_AreAuthenticated()
    {
        using var key = new MediaKey(1, Secret);
        var sealedFrame = new byte[10 + MediaKey.Overhead];
        key.Seal(5, 9, MediaKind.Audio, new byte[10], sealedFrame);
        Assert.False(key.TryOpen(sealedFrame, 5, 8, MediaKind.Audio, new byte[10]));
        Assert.False(key.TryOpen(sealedFrame, 5, 9, MediaKind.Video, new byte[10]));
        Assert.True(key.TryOpen(sealedFrame, 5, 9, MediaKind.Audio, new byte[10]));
    }

    [Fact]
    public void AnotherSecret_DoesNotOpen_AndEqualPlaintexts_SealDifferently()
    {
        using var key = new MediaKey(1, Secret);
        using var other = new MediaKey(1, RandomNumberGenerator.GetBytes(MediaKey.SecretBytes));
        var first = new byte[16 + MediaKey.Overhead];
        var second = new byte[16 + MediaKey.Overhead];
        key.Seal(1, 1, MediaKind.Video, new byte[16], first);
        key.Seal(2, 1, MediaKind.Video, new byte[16], second);
        Assert.False(first.AsSpan(MediaKey.HeaderBytes).SequenceEqual(second.AsSpan(MediaKey.HeaderBytes)));
        Assert.False(other.TryOpen(first, 1, 1, MediaKind.Video, new byte[16]));
    }

    [Fact]
    public void ShortOrForeignFrames_HaveNoHeader()
    {
        Assert.False(MediaKey.TryReadHeader(new byte[MediaKey.Overhead - 1], out _, out _));
        var frame = new byte[MediaKey.Overhead];
        frame[0] = 2;
        Assert.False(MediaKey.TryReadHeader(frame, out _, out _));
    }
}

public sealed class ReplayWindowTests
{
    [Fact]
    public void EachCounterIsAcceptedOnce_InAnyOrderWithinTheWindow()
    {
        var window = new ReplayWindow();
        foreach (var counter in new ulong[] { 0, 1, 5, 3, 2, 300, 100, 299 })
        {
            Assert.True(window.IsFresh(counter), $"{counter} fresh");
            window.Record(counter);
            Assert.False(window.IsFresh(counter), $"{counter} replayed");
        }

        Assert.False(window.IsFresh(5));
        Assert.True(window.IsFresh(298));
        Assert.False(window.IsFresh(300 - (ulong)window.Size), "older than the window");
        Assert.True(window.IsFresh(301 - (ulong)window.Size));
    }

    [Fact]
    public void AJumpBeyondTheWindow_ForgetsTheOldBits()
    {
        var window = new ReplayWindow();
        window.Record(10);
        window.Record(10 + 1000);
        Assert.False(window.IsFresh(10));
        Assert.True(window.IsFresh(1009));
        window.Record(1009);
        window.Record(1011);
        Assert.False(window.IsFresh(1009));
        Assert.False(window.IsFresh(1010));
        Assert.True(window.IsFresh(1008));
    }
}
