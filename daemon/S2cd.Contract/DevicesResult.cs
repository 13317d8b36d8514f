namespace S2cd.Contract;

/// <summary>The answer to <see cref="ControlProtocol.Methods.Devices"/>.</summary>
public sealed record DevicesResult
{
    /// <summary>Cameras: V4L2 devices, and the test pattern.</summary>
    public required IReadOnlyList<DeviceInfo> Cameras { get; init; }

    /// <summary>ALSA PCMs that can capture.</summary>
    public required IReadOnlyList<DeviceInfo> Capture { get; init; }

    /// <summary>ALSA PCMs that can play.</summary>
    public required IReadOnlyList<DeviceInfo> Playback { get; init; }

    /// <summary>The camera, capture and playback devices configured now.</summary>
    public required IReadOnlyList<string> Configured { get; init; }
}
