namespace S2cd.Render;

/// <summary>The colours a terminal shows.</summary>
internal enum ColorDepth
{
    /// <summary>The xterm 256-colour palette.</summary>
    Ansi256,

    /// <summary>24-bit colour.</summary>
    TrueColor,
}
