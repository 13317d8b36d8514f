namespace S2cd.Render;

/// <summary>How pictures become characters.</summary>
internal enum RenderMode
{
    /// <summary>Brightness to a character ramp, no colour.</summary>
    Ascii,

    /// <summary>Ramp characters coloured with the picture's colour.</summary>
    AsciiColor,

    /// <summary>Upper half blocks: the top pixel in the foreground colour, the bottom in the background: two pixels per cell.</summary>
    Blocks,
}
