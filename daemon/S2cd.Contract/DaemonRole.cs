namespace S2cd.Contract;

/// <summary>What a daemon process is: a participant (camera, sound, an embedded relay) or a relay alone.</summary>
public enum DaemonRole
{
    /// <summary>Takes part in calls: camera, microphone, speaker, views (and an embedded relay when configured).</summary>
    Participant,

    /// <summary>Only relays calls (s2c-relay).</summary>
    Relay,
}
