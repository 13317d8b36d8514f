namespace S2cd.Render;

/// <summary>
/// One terminal cell: a character and its colours (0xRRGGBB, or <see cref="Default"/> for the terminal's own). A
/// grapheme cluster of more than one UTF-16 unit (a surrogate pair, a letter with combining marks, an emoji
/// sequence) is in <see cref="Cluster"/>. A cluster two cells wide is written in its first cell; the second is
/// marked <see cref="Continuation"/> and written as nothing, as the terminal fills it. A cell of a picture is marked
/// <see cref="Picture"/>: its colours may be written approximately (<see cref="AnsiWriter"/>), a label's never.
/// </summary>
internal struct Cell : IEquatable<Cell>
{
    public const int Default = -1;

    public char Ch;
    public string? Cluster;
    public bool Continuation;
    public bool Picture;
    public int Fg;
    public int Bg;

    public Cell(char ch, int fg, int bg)
    {
        Ch = ch;
        Fg = fg;
        Bg = bg;
    }

    public static Cell Blank => new(' ', Default, Default);

    /// <summary>A cell showing <paramref name="cluster"/> (one cell's worth; a wide one needs a continuation after it).</summary>
    public static Cell Of(string cluster, int fg, int bg) =>
        cluster.Length == 1 ? new Cell(cluster[0], fg, bg) : new Cell(' ', fg, bg) { Cluster = cluster };

    /// <summary>The second cell of a wide cluster.</summary>
    public static Cell ContinuationOf(int fg, int bg) => new(' ', fg, bg) { Continuation = true };

    public readonly bool Equals(Cell other) =>
        Ch == other.Ch && Fg == other.Fg && Bg == other.Bg && Continuation == other.Continuation && Picture == other.Picture && string.Equals(Cluster, other.Cluster, StringComparison.Ordinal);

    public override readonly bool Equals(object? obj) => obj is Cell other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Ch, Fg, Bg, Continuation, Picture, Cluster);

    public static bool operator ==(Cell left, Cell right) => left.Equals(right);

    public static bool operator !=(Cell left, Cell right) => !left.Equals(right);
}
