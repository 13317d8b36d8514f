namespace S2cd.Conference;

/// <summary>What end-to-end sessions rejected: tampered, replayed, under an old key, bad key bundles, members refused, frames before their key.</summary>
internal readonly record struct EndToEndFigures(long Tampered, long Replayed, long OldKey, long BadKeyBundles, long RefusedMembers, long AwaitingKey);

/// <summary>What an end-to-end session rejected, counted from the threads that rejected it; and how many problems it has logged.</summary>
internal sealed class RejectionCounts
{
    private long _tampered;
    private long _replayed;
    private long _oldKey;
    private long _badBundles;
    private long _refused;
    private long _awaitingKey;
    private int _logged;

    public EndToEndFigures Figures => new(
        Interlocked.Read(ref _tampered),
        Interlocked.Read(ref _replayed),
        Interlocked.Read(ref _oldKey),
        Interlocked.Read(ref _badBundles),
        Interlocked.Read(ref _refused),
        Interlocked.Read(ref _awaitingKey));

    public void Tampered() => Interlocked.Increment(ref _tampered);

    public void Replayed() => Interlocked.Increment(ref _replayed);

    public void OldKey() => Interlocked.Increment(ref _oldKey);

    public void BadBundle() => Interlocked.Increment(ref _badBundles);

    public void Refused() => Interlocked.Increment(ref _refused);

    public void AwaitingKey() => Interlocked.Increment(ref _awaitingKey);

    /// <summary>Whether one more problem may be logged (the first <paramref name="most"/> are).</summary>
    public bool MayLog(int most) => Interlocked.Increment(ref _logged) <= most;
}
