namespace S2cd.Transport.RelayLink;

/// <summary>How long to wait before reconnection attempt <c>n</c>: 0.25 s doubling up to a ceiling, ±20% so that
/// daemons that lost the same relay do not all come back in the same instant.</summary>
internal static class ReconnectBackoff
{
    /// <param name="attempt">0 for the first retry after a loss.</param>
    /// <param name="max">The ceiling.</param>
    /// <param name="jitter">A number in [0, 1): where in the ±20% band this wait falls.</param>
    public static TimeSpan Delay(int attempt, TimeSpan max, double jitter)
    {
        var seconds = Math.Min(0.25 * Math.Pow(2, Math.Min(attempt, 10)), max.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + (jitter * 0.4)));
    }
}
