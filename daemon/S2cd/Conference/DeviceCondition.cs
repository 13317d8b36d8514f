namespace S2cd.Conference;

/// <summary>What a camera, microphone or speaker is doing.</summary>
internal enum DeviceCondition
{
    /// <summary>Not wanted now (no session, camera switched off).</summary>
    Off,

    /// <summary>Open and working.</summary>
    On,

    /// <summary>Wanted, but it does not open or its library does not load; retried.</summary>
    Unavailable,

    /// <summary>Switched off in the configuration.</summary>
    Disabled,
}
