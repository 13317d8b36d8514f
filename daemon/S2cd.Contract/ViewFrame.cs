namespace S2cd.Contract;

/// <summary>One frame of a view: the terminal output that turns the previous frame into this one.</summary>
public sealed record ViewFrame
{
    /// <summary>Moves on with every change the view shows; pass it back to wait for the next one.</summary>
    public required long Version { get; init; }

    /// <summary>ANSI text to write to the terminal as it is; empty when nothing changed before the timeout.</summary>
    public required string Data { get; init; }

    /// <summary>
    /// When the newest picture from another participant in this frame was captured (Unix time, µs), or null:
    /// how old what the view shows is.
    /// </summary>
    public long? NewestCaptureUnixMicroseconds { get; init; }
}
