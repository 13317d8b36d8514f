namespace S2cd.Transport;

/// <summary>
/// At most <c>count</c> events in any <c>window</c> (a sliding window, not a bucket: 20 in 10 s never lets 40 through
/// over a bucket's refill). Keeps the times of the last <c>count</c> events taken. Not thread-safe: its owner locks.
/// </summary>
internal sealed class MessageWindow(int count, TimeSpan window, TimeProvider time)
{
    private readonly long[] _taken = new long[count];
    private readonly long _window = (long)(window.TotalSeconds * time.TimestampFrequency);
    private int _next;
    private int _filled;

    /// <summary>Takes one event when the window has room; false (and nothing taken) when it has not.</summary>
    public bool TryTake()
    {
        var now = time.GetTimestamp();
        if (_filled == _taken.Length && now - _taken[_next] < _window)
        {
            return false;
        }

        _taken[_next] = now;
        _next = (_next + 1) % _taken.Length;
        _filled = Math.Min(_filled + 1, _taken.Length);
        return true;
    }

    /// <summary>How long until the window has room again (zero when it has).</summary>
    public TimeSpan RoomIn()
    {
        if (_filled < _taken.Length)
        {
            return TimeSpan.Zero;
        }

        var wait = _window - (time.GetTimestamp() - _taken[_next]);
        return wait <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(wait / (double)time.TimestampFrequency);
    }
}
