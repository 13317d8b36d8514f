namespace S2cd.Wire;

/// <summary>Error codes the relay sends before it closes a connection.</summary>
internal enum WireError : ushort
{
    VersionMismatch = 1,
    MalformedFrame = 2,
    SessionFull = 3,
    TooManySessions = 4,
    InvalidName = 5,
    UnexpectedFrame = 6,
    TooSlow = 7,
    ShuttingDown = 8,
    RelayBusy = 9,
}
