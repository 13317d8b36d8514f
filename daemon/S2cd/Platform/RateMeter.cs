namespace S2cd.Platform;

/// <summary>
/// Events per second over the last sixteen (pictures received from a member, frames a view wrote); zero once none
/// has come for two seconds. Not thread-safe: its owner serializes calls.
/// </summary>
internal sealed class RateMeter
{
    private readonly long[] _times = new long[16];
    private int _next;
    private int _count;

    /// <summary>An event happened at <paramref name="timestamp"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public void Mark(long timestamp)
    {
        _times[_next] = timestamp;
        _next = (_next + 1) % _times.Length;
        _count = Math.Min(_count + 1, _times.Length);
    }

    /// <summary>The rate at <paramref name="now"/>, with timestamps ticking <paramref name="frequency"/> times a second.</summary>
    public double PerSecond(long now, long frequency)
    {
        if (_count < 2)
        {
            return 0;
        }

        var newest = _times[(_next - 1 + _times.Length) % _times.Length];
        var oldest = _times[(_next - _count + _times.Length) % _times.Length];
        if ((now - newest) > 2 * frequency || newest == oldest)
        {
            return 0;
        }

        return (_count - 1) * (double)frequency / (newest - oldest);
    }
}
