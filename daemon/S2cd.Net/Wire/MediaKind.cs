namespace S2cd.Wire;

/// <summary>What a media frame carries; the relay queues each kind by its own rule.</summary>
internal enum MediaKind : byte
{
    Video = 1,
    Audio = 2,
}
