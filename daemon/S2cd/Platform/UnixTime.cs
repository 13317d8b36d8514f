namespace S2cd.Platform;

/// <summary>Wall-clock time as the wire carries it: microseconds since the Unix epoch.</summary>
internal static class UnixTime
{
    public static long Microseconds(TimeProvider time) => (time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
}
