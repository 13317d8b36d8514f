using System.Buffers;
using S2cd.Conference;

namespace S2cd.Video;

/// <summary>The core's <see cref="IVideoSink"/>: pictures decoded by the <see cref="VideoReceiver"/> into the <see cref="PictureStore"/>.</summary>
internal sealed class VideoSink(PictureStore pictures, VideoReceiver receiver) : IVideoSink
{
    public string? Problem => receiver.Problem;

    public long Rejected => receiver.Rejected;

    public double SelfFps => pictures.SelfFps;

    public long TotalLost => pictures.TotalLost();

    public void OnVideo(uint sender, ReadOnlySequence<byte> payload) => receiver.OnVideo(sender, payload);

    public (double Fps, double? DelayMs, long Lost) Figures(uint member)
    {
        var (picture, fps, delay, lost) = pictures.Get(member);
        return (fps, picture is null ? null : delay, lost);
    }

    public void Remove(uint member) => pictures.Remove(member);

    public void Clear() => pictures.Clear();

    public void Touch() => pictures.Touch();
}
