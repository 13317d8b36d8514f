namespace S2cd.Contract;

/// <summary>Arguments of <see cref="ControlProtocol.Methods.ViewOpen"/>: how a client's terminal wants the call drawn.</summary>
/// <remarks>
/// Properties with a default have setters, not init accessors: JSON metadata generated at build time sets every
/// init-only property, and one missing from the request would lose its default.
/// </remarks>
public sealed record ViewRequest
{
    /// <summary>Terminal width in cells, 8 to 1000.</summary>
    public required int Columns { get; init; }

    /// <summary>Terminal height in cells, 4 to 400; the last row is the status line.</summary>
    public required int Rows { get; init; }

    /// <summary><c>ascii</c>, <c>ascii-color</c> or <c>blocks</c>.</summary>
    public string Mode { get; set; } = "ascii";

    /// <summary><c>truecolor</c> or <c>256</c>.</summary>
    public string Colors { get; set; } = "truecolor";

    /// <summary>For light terminal backgrounds (ascii modes).</summary>
    public bool Invert { get; init; }

    /// <summary>The character ramp, from the most ink to the least; null for s2c's 92-character ramp.</summary>
    public string? Ramp { get; init; }

    /// <summary>Leave one's own picture out of the grid.</summary>
    public bool HideSelf { get; init; }

    /// <summary>Run the camera for this view even outside a session (s2c-attach preview).</summary>
    public bool Preview { get; init; }
}
