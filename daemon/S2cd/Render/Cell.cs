namespace S2cd.Render;

/// <summary>One terminal cell: a character and its colours (0xRRGGBB, or <see cref="Default"/> for the terminal's own).</summary>
internal struct Cell : IEquatable<Cell>
{
    public const int Default = -1;

    public char Ch;
    public int Fg;
    public int Bg;

    public Cell(char ch, int fg, int bg)
    {
        Ch = ch;
        Fg = fg;
        Bg = bg;
    }

    public static Cell Blank => new(' ', Default, Default);

    public readonly bool Equals(Cell other) => Ch == other.Ch && Fg == other.Fg && Bg == other.Bg;

    public override readonly bool Equals(object? obj) => obj is Cell other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Ch, Fg, Bg);

    public static bool operator ==(Cell left, Cell right) => left.Equals(right);

    public static bool operator !=(Cell left, Cell right) => !left.Equals(right);
}
