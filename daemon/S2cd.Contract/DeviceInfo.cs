namespace S2cd.Contract;

/// <summary>A camera or sound device the daemon can use.</summary>
public sealed record DeviceInfo
{
    /// <summary>The name to put in the configuration (Video:Camera, Audio:CaptureDevice, Audio:PlaybackDevice).</summary>
    public required string Name { get; init; }

    /// <summary>A description for people.</summary>
    public required string Description { get; init; }
}
