namespace S2cd.Wire;

/// <summary>Constants of the daemon–relay wire protocol.</summary>
internal static class WireProtocol
{
    public const ushort Version = 1;

    /// <summary>Bytes of the length prefix.</summary>
    public const int LengthPrefixBytes = 4;

    /// <summary>Bytes before a forwarded media payload: length, type, sender id, media kind.</summary>
    public const int MediaForwardHeaderBytes = LengthPrefixBytes + 1 + 4 + 1;

    /// <summary>The largest frame any peer accepts, whatever its configuration.</summary>
    public const int AbsoluteMaxFrameBytes = 4 * 1024 * 1024;
}
