namespace S2cd.Transport;

/// <summary>
/// A token bucket: <see cref="TryTake"/> succeeds while the tokens taken stay within <c>ratePerSecond</c>, with
/// bursts up to <c>burst</c>. Starts full. Not thread-safe: each bucket belongs to one reader loop.
/// </summary>
internal sealed class TokenBucket(double ratePerSecond, double burst, TimeProvider time)
{
    private readonly double _perTick = ratePerSecond / time.TimestampFrequency;
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _lastRefill = time.GetTimestamp();

    public bool TryTake(double tokens)
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + ((now - _lastRefill) * _perTick));
        _lastRefill = now;
        if (_tokens < tokens)
        {
            return false;
        }

        _tokens -= tokens;
        return true;
    }
}
