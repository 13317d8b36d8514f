using System.Globalization;
using System.Text;

namespace S2cd.Contract;

/// <summary>How a cell of a shared screen is drawn besides its colours.</summary>
[Flags]
public enum CellStyle : byte
{
    /// <summary>Plain.</summary>
    None = 0,

    /// <summary>Bold.</summary>
    Bold = 1,

    /// <summary>Underlined.</summary>
    Underline = 2,

    /// <summary>Italic.</summary>
    Italic = 4,

    /// <summary>Foreground and background swapped.</summary>
    Reverse = 8,

    /// <summary>Struck through.</summary>
    Strike = 16,
}

/// <summary>
/// One cell of a shared screen: the grapheme cluster it shows (empty for the second half of a wide one), its width
/// (1 or 2; 0 for that second half), its colours (0xRRGGBB, or <see cref="DefaultColor"/> for the terminal's own) and style.
/// </summary>
public readonly record struct ScreenCell(string Text, byte Width, int Fg, int Bg, CellStyle Style)
{
    /// <summary>The terminal's own colour.</summary>
    public const int DefaultColor = -1;

    /// <summary>An empty cell in the terminal's colours.</summary>
    public static readonly ScreenCell Blank = new(" ", 1, DefaultColor, DefaultColor, CellStyle.None);
}

/// <summary>
/// The cells of a shared terminal screen, as the sharer's terminal emulator (libvterm) keeps them and every viewer
/// gets them (<see cref="ScreenUpdate"/>): at most <see cref="MaxCols"/> × <see cref="MaxRows"/>. Its text is made
/// for a terminal with <see cref="TextCells"/>, so nothing the shared program printed is ever written raw.
/// </summary>
public sealed class ScreenGrid
{
    /// <summary>The widest screen shared.</summary>
    public const int MaxCols = 300;

    /// <summary>The tallest screen shared.</summary>
    public const int MaxRows = 100;

    /// <summary>A blank screen; throws <see cref="ArgumentException"/> beyond <see cref="MaxCols"/> × <see cref="MaxRows"/>.</summary>
    public ScreenGrid(int cols, int rows)
    {
        if (cols is < 1 or > MaxCols || rows is < 1 or > MaxRows)
        {
            throw new ArgumentException($"a shared screen is 1 to {MaxCols} columns and 1 to {MaxRows} rows, not {cols}×{rows}");
        }

        Cols = cols;
        Rows = rows;
        Cells = new ScreenCell[cols * rows];
        Array.Fill(Cells, ScreenCell.Blank);
    }

    /// <summary>Columns.</summary>
    public int Cols { get; }

    /// <summary>Rows.</summary>
    public int Rows { get; }

    /// <summary>The cells, row by row.</summary>
    public ScreenCell[] Cells { get; }

    /// <summary>The number of the update that made this state (its sender counts them).</summary>
    public uint Sequence { get; set; }

    /// <summary>The cell at column <paramref name="col"/> of row <paramref name="row"/>.</summary>
    public ref ScreenCell At(int col, int row) => ref Cells[(row * Cols) + col];

    /// <summary>A copy to change.</summary>
    public ScreenGrid Copy()
    {
        var copy = new ScreenGrid(Cols, Rows) { Sequence = Sequence };
        Cells.CopyTo(copy.Cells, 0);
        return copy;
    }

    /// <summary>The screen's text, a line a row without the spaces at its ends, each cluster as it may be written (<see cref="TextCells.Safe"/>).</summary>
    public string[] Lines()
    {
        var lines = new string[Rows];
        var line = new StringBuilder(Cols);
        for (var row = 0; row < Rows; row++)
        {
            line.Clear();
            for (var col = 0; col < Cols; col++)
            {
                var cell = At(col, row);
                if (cell.Width > 0)
                {
                    line.Append(TextCells.Safe(cell.Text));
                }
            }

            lines[row] = line.ToString().TrimEnd();
        }

        return lines;
    }

    /// <summary>
    /// The screen as a terminal would show it, with colours and styles as SGR sequences (24-bit colour) and nothing else:
    /// no cursor moves, titles, clipboard or other sequences, whatever the shared program wrote.
    /// </summary>
    public string Ansi()
    {
        var ansi = new StringBuilder(Cells.Length * 2);
        for (var row = 0; row < Rows; row++)
        {
            var pen = ScreenCell.Blank with { Text = string.Empty };
            for (var col = 0; col < Cols; col++)
            {
                var cell = At(col, row);
                if (cell.Width == 0)
                {
                    continue;
                }

                if (cell.Fg != pen.Fg || cell.Bg != pen.Bg || cell.Style != pen.Style)
                {
                    ansi.Append(Sgr(cell));
                    pen = cell;
                }

                ansi.Append(TextCells.Safe(cell.Text));
            }

            ansi.Append("\u001b[0m\n");
        }

        return ansi.ToString();
    }

    private static string Sgr(ScreenCell cell)
    {
        var sgr = new StringBuilder("\u001b[0");
        foreach (var (style, code) in new[] { (CellStyle.Bold, 1), (CellStyle.Italic, 3), (CellStyle.Underline, 4), (CellStyle.Reverse, 7), (CellStyle.Strike, 9) })
        {
            if (cell.Style.HasFlag(style))
            {
                sgr.Append(';').Append(code);
            }
        }

        if (cell.Fg != ScreenCell.DefaultColor)
        {
            sgr.Append(CultureInfo.InvariantCulture, $";38;2;{(cell.Fg >> 16) & 0xFF};{(cell.Fg >> 8) & 0xFF};{cell.Fg & 0xFF}");
        }

        if (cell.Bg != ScreenCell.DefaultColor)
        {
            sgr.Append(CultureInfo.InvariantCulture, $";48;2;{(cell.Bg >> 16) & 0xFF};{(cell.Bg >> 8) & 0xFF};{cell.Bg & 0xFF}");
        }

        return sgr.Append('m').ToString();
    }
}
