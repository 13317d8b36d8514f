namespace S2cd.Render;

/// <summary>How one view renders pictures.</summary>
internal sealed record RenderOptions
{
    /// <summary>
    /// The 92 printable characters of s2c's ramp, from the most ink to the least (measured coverage),
    /// ending in space.
    /// </summary>
    public const string DefaultRamp = "M&$WB8QRmNgGD9E6OHdbwqpPS3250AKZ4UaXCzhse[]kV*F={}jynu?To+fxtL()7YcJ></\\|^!v~i1r;Il-\"_:,`'. ";

    public RenderMode Mode { get; init; } = RenderMode.Ascii;

    public ColorDepth Colors { get; init; } = ColorDepth.TrueColor;

    /// <summary>For light terminal backgrounds: bright pixels get little ink.</summary>
    public bool Invert { get; init; }

    /// <summary>Characters from the most ink to the least; 2 to 256 printable ASCII characters.</summary>
    public string Ramp { get; init; } = DefaultRamp;
}
