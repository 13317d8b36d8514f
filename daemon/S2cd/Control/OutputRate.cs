using System.Text;

namespace S2cd.Control;

/// <summary>
/// How fast a view's client gets its frames out to the terminal, judged from the time between handing it a
/// frame and its asking for the next (s2c-attach asks only once the frame is written, and keeps its pipe's
/// buffer small, so a slow pipe or terminal shows as time). From that, how many bytes a frame may take so
/// that frames keep coming several times a second and none waits long behind the one before it.
/// </summary>
internal sealed class OutputRate
{
    /// <summary>Seconds of output one frame may take: with the frame before it still draining, under 300 ms old.</summary>
    public const double FrameSeconds = 0.08;

    /// <summary>Frames smaller than this say more about the round trip than about the output.</summary>
    private const int MinSampleBytes = 2048;

    /// <summary>At or above this rate the output is not what limits a view.</summary>
    private const double Unlimited = 4 * 1024 * 1024;

    private const int MinBudget = 3 * 1024;

    private long _returnedAt;
    private int _returnedBytes;
    private double _bytesPerSecond;

    /// <summary>Bytes the next frame may take; null while the output keeps up with anything.</summary>
    public int? FrameBudget =>
        _bytesPerSecond is > 0 and < Unlimited ? Math.Max(MinBudget, (int)(_bytesPerSecond * FrameSeconds)) : null;

    /// <summary>Measured bytes per second (0 before the first measurement), for status and tests.</summary>
    public double BytesPerSecond => _bytesPerSecond;

    /// <summary>The client asks for a frame: the previous one, if it was big enough to tell, has been written.</summary>
    public void Asked(long timestamp, long frequency)
    {
        if (_returnedBytes < MinSampleBytes || _returnedAt == 0)
        {
            return;
        }

        var seconds = Math.Max(1e-4, (timestamp - _returnedAt) / (double)frequency);
        var sample = _returnedBytes / seconds;
        _bytesPerSecond = _bytesPerSecond == 0 ? sample : (0.6 * _bytesPerSecond) + (0.4 * sample);
        _returnedBytes = 0;
    }

    /// <summary>A frame is handed to the client.</summary>
    public void Returned(string frame, long timestamp)
    {
        _returnedBytes = Encoding.UTF8.GetByteCount(frame);
        _returnedAt = timestamp;
    }
}
