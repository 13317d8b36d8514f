namespace S2cd.Wire;

/// <summary>A frame broke the wire protocol; the connection that sent it is closed.</summary>
internal sealed class WireProtocolException(WireError code, string message) : Exception(message)
{
    public WireError Code { get; } = code;
}
