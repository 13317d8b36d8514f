using System.Buffers;
using OpenCvSharp;
using S2cd.Video;

namespace S2cd.Tests.Video;

public sealed class VideoReceiverTests
{
    [Fact]
    public void OnVideo_ValidFrame_StoresThePictureWithItsTimeAndSequence()
    {
        var store = new PictureStore(TimeProvider.System);
        var receiver = new VideoReceiver(store);
        receiver.OnVideo(7, Payload(new VideoFrameHeader(42, 1_000_000, 64, 48), Jpeg(64, 48)));
        var (picture, _, _, _) = store.Get(7);
        Assert.NotNull(picture);
        Assert.Equal((64, 48, 42u, 1_000_000L), (picture.Width, picture.Height, picture.Sequence, picture.CapturedAt));
        Assert.Equal(0, receiver.Rejected);
    }

    [Fact]
    public void OnVideo_BadPayloads_AreDroppedAndCountedWithoutThrowing()
    {
        var store = new PictureStore(TimeProvider.System);
        var receiver = new VideoReceiver(store);
        var jpeg = Jpeg(64, 48);
        var random = new byte[500];
        new Random(1).NextBytes(random);
        byte[][] bad =
        [
            [],
            [1, 2, 3],
            random,
            Bytes(new VideoFrameHeader(1, 0, 64, 48), random),                    // header fine, not a JPEG
            Bytes(new VideoFrameHeader(1, 0, 160, 120), jpeg),                    // JPEG of another size than announced
            Bytes(new VideoFrameHeader(1, 0, 64, 48), jpeg[..(jpeg.Length / 3)]), // truncated JPEG
            Bytes(new VideoFrameHeader(1, 0, 0, 48), jpeg),                       // impossible size
            Bytes(new VideoFrameHeader(1, 0, 60000, 48), jpeg),
        ];
        bad[1][0] = 9;
        foreach (var payload in bad)
        {
            receiver.OnVideo(3, new ReadOnlySequence<byte>(payload));
        }

        Assert.Equal(bad.Length, receiver.Rejected);
        Assert.Null(store.Get(3).Picture);
    }

    [Fact]
    public void Set_SequenceGap_CountsAsLost()
    {
        var store = new PictureStore(TimeProvider.System);
        var receiver = new VideoReceiver(store);
        receiver.OnVideo(1, Payload(new VideoFrameHeader(1, 0, 64, 48), Jpeg(64, 48)));
        receiver.OnVideo(2, Payload(new VideoFrameHeader(7, 0, 64, 48), Jpeg(64, 48)));
        var before = store.Version;
        receiver.OnVideo(1, Payload(new VideoFrameHeader(5, 0, 64, 48), Jpeg(64, 48)));
        receiver.OnVideo(1, Payload(new VideoFrameHeader(6, 0, 64, 48), Jpeg(64, 48)));
        receiver.OnVideo(2, Payload(new VideoFrameHeader(8, 0, 64, 48), Jpeg(64, 48)));
        Assert.True(store.Version > before);
        Assert.Equal(6u, store.Get(1).Picture!.Sequence);

        // 2, 3 and 4 never came from member 1; nothing is missing from member 2.
        Assert.Equal(3, store.Get(1).Lost);
        Assert.Equal(0, store.Get(2).Lost);
        Assert.Equal(3, store.TotalLost());
    }

    private static byte[] Jpeg(int width, int height)
    {
        using var mat = new Mat(height, width, MatType.CV_8UC3, new Scalar(30, 60, 90));
        Cv2.ImEncode(".jpg", mat, out var jpeg);
        return jpeg;
    }

    private static ReadOnlySequence<byte> Payload(VideoFrameHeader header, byte[] jpeg) => new(Bytes(header, jpeg));

    private static byte[] Bytes(VideoFrameHeader header, ReadOnlySpan<byte> jpeg)
    {
        var payload = new byte[VideoFrameHeader.Size + jpeg.Length];
        header.Write(payload);
        jpeg.CopyTo(payload.AsSpan(VideoFrameHeader.Size));
        return payload;
    }
}
