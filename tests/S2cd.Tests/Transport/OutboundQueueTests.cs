using S2cd.Tests.Support;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Tests.Transport;

public sealed class OutboundQueueTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void EnqueueMedia_NewerVideoFromSameSender_ReplacesUnsentOne()
    {
        var queue = new OutboundQueue(16, TimeSpan.FromMilliseconds(100));
        var first = Frame(1);
        var second = Frame(2);
        var other = Frame(3);
        queue.EnqueueMedia(first, MediaKind.Video, 5, _time.GetTimestamp());
        queue.EnqueueMedia(other, MediaKind.Video, 6, _time.GetTimestamp());
        queue.EnqueueMedia(second, MediaKind.Video, 5, _time.GetTimestamp());
        var batch = Drain(queue);
        Assert.Equal([2, 3], batch.Select(f => (int)f.Memory.Span[0]));
        Assert.Equal(1, queue.Dropped);
    }

    [Fact]
    public void Drain_AudioOlderThanMaxAge_IsDroppedAndCounted()
    {
        var queue = new OutboundQueue(16, TimeSpan.FromMilliseconds(100));
        queue.EnqueueMedia(Frame(1), MediaKind.Audio, 5, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(150));
        queue.EnqueueMedia(Frame(2), MediaKind.Audio, 5, _time.GetTimestamp());
        var batch = Drain(queue);
        Assert.Equal([2], batch.Select(f => (int)f.Memory.Span[0]));
        Assert.Equal(1, queue.AudioDropped);
    }

    [Fact]
    public void Enqueue_Full_DropsMediaAndRefusesControl()
    {
        var queue = new OutboundQueue(2, TimeSpan.FromSeconds(1));
        Assert.True(queue.TryEnqueueControl(Frame(1)));
        queue.EnqueueMedia(Frame(2), MediaKind.Audio, 1, _time.GetTimestamp());
        queue.EnqueueMedia(Frame(3), MediaKind.Audio, 1, _time.GetTimestamp());
        Assert.Equal(1, queue.Dropped);
        Assert.False(queue.TryEnqueueControl(Frame(4)));
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void Full_AudioTakesThePlaceOfTheOldestVideo_AndTheOrderOfTheRestHolds()
    {
        var queue = new OutboundQueue(4, TimeSpan.FromSeconds(1));
        queue.EnqueueMedia(Frame(1), MediaKind.Audio, 1, _time.GetTimestamp());
        queue.EnqueueMedia(Frame(2), MediaKind.Video, 5, _time.GetTimestamp());
        queue.EnqueueMedia(Frame(3), MediaKind.Video, 6, _time.GetTimestamp());
        queue.EnqueueMedia(Frame(4), MediaKind.Audio, 1, _time.GetTimestamp());
        queue.EnqueueMedia(Frame(5), MediaKind.Audio, 1, _time.GetTimestamp());
        queue.EnqueueMedia(Frame(6), MediaKind.Video, 7, _time.GetTimestamp());

        // 5 pushed out video 2; video 6 found the queue full (no video gives way to video). Sender 6's video is
        // still the one a newer frame of its replaces.
        queue.EnqueueMedia(Frame(7), MediaKind.Video, 6, _time.GetTimestamp());
        Assert.Equal([1, 7, 4, 5], Drain(queue).Select(f => (int)f.Memory.Span[0]));
        Assert.Equal((3, 2, 0), (queue.Dropped, queue.VideoDropped, queue.AudioDropped));
    }

    [Fact]
    public void Drain_VideoThatWaitedTooLong_IsDroppedForTheAudio()
    {
        var queue = new OutboundQueue(16, TimeSpan.FromMilliseconds(100));
        queue.EnqueueMedia(Frame(1), MediaKind.Video, 5, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(250));
        queue.EnqueueMedia(Frame(2), MediaKind.Audio, 5, _time.GetTimestamp());
        Assert.Equal([1, 2], Drain(queue).Select(f => (int)f.Memory.Span[0]));

        queue.EnqueueMedia(Frame(3), MediaKind.Video, 5, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(350));
        queue.EnqueueMedia(Frame(4), MediaKind.Audio, 5, _time.GetTimestamp());
        Assert.Equal([4], Drain(queue).Select(f => (int)f.Memory.Span[0]));
        Assert.Equal(1, queue.VideoDropped);
    }

    [Fact]
    public void Urgent_GoesBeforeEverythingQueued()
    {
        var queue = new OutboundQueue(4, TimeSpan.FromSeconds(1));
        queue.EnqueueMedia(Frame(1), MediaKind.Video, 5, _time.GetTimestamp());
        Assert.True(queue.TryEnqueueControl(Frame(2)));
        Assert.True(queue.TryEnqueueUrgent(Frame(3)));
        Assert.Equal([3, 1, 2], Drain(queue).Select(f => (int)f.Memory.Span[0]));
        queue.EnqueueMedia(Frame(4), MediaKind.Video, 5, _time.GetTimestamp());
        Assert.True(queue.TryEnqueueUrgent(Frame(5)));
        queue.EnqueueMedia(Frame(6), MediaKind.Video, 5, _time.GetTimestamp());
        Assert.Equal([5, 6], Drain(queue).Select(f => (int)f.Memory.Span[0]));
    }

    [Fact]
    public void Video_AfterEarlierOneWasSent_IsQueuedAgain()
    {
        var queue = new OutboundQueue(8, TimeSpan.FromSeconds(1));
        queue.EnqueueMedia(Frame(1), MediaKind.Video, 5, _time.GetTimestamp());
        Assert.Single(Drain(queue));
        queue.EnqueueMedia(Frame(2), MediaKind.Video, 5, _time.GetTimestamp());
        Assert.Equal([2], Drain(queue).Select(f => (int)f.Memory.Span[0]));
        Assert.Equal(0, queue.Dropped);
    }

    [Fact]
    public void Close_ReleasesQueuedFramesAndRefusesMore()
    {
        var queue = new OutboundQueue(8, TimeSpan.FromSeconds(1));
        queue.TryEnqueueControl(Frame(1));
        queue.Close();
        Assert.False(queue.TryEnqueueControl(Frame(2)));
        Assert.Equal(0, queue.Count);
    }

    private List<SharedFrame> Drain(OutboundQueue queue)
    {
        var batch = new List<SharedFrame>();
        queue.Drain(batch, 1 << 20, _time.GetTimestamp(), _time);
        return batch;
    }

    private static SharedFrame Frame(byte marker)
    {
        var frame = SharedFrame.Rent(8);
        frame.GetSpan(1)[0] = marker;
        frame.Advance(1);
        return frame;
    }
}
