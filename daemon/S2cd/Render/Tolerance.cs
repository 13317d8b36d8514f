namespace S2cd.Render;

/// <summary>
/// How far picture cells may be from what a frame asks for: <see cref="Keep"/>, a cell asked to be within this
/// (in every channel) of what it was asked to be when it was written is left alone; <see cref="Share"/>, neighbours
/// within twice this of each other are evened out to one colour, and a colour within half of it of the colour already
/// set is written as that colour. Zero is exact. <see cref="Rank"/> orders tolerances from the finest (0).
/// </summary>
internal readonly record struct Tolerance(int Keep, int Share, byte Rank = 0);
