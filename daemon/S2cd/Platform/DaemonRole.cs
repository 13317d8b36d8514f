namespace S2cd.Platform;

/// <summary>What a daemon process is: a participant (camera, sound, an embedded relay) or a relay alone.</summary>
internal enum DaemonRole
{
    Participant,
    Relay,
}
