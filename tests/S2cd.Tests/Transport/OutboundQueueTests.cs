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
