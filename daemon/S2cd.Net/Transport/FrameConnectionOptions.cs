namespace S2cd.Transport;

/// <summary>Limits and timings of one <see cref="FrameConnection"/>.</summary>
internal sealed record FrameConnectionOptions
{
    public int MaxFrameBytes { get; init; } = 256 * 1024;

    public int QueueCapacity { get; init; } = 512;

    public TimeSpan AudioMaxAge { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(3.5);
}
