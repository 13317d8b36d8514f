using System.Globalization;

namespace S2cd.Render;

/// <summary>A grid of cells the size of a terminal; what one view shows.</summary>
internal sealed class Screen
{
    public Screen(int cols, int rows)
    {
        Cols = cols;
        Rows = rows;
        Cells = new Cell[cols * rows];
        Clear();
    }

    public int Cols { get; }

    public int Rows { get; }

    public Cell[] Cells { get; }

    public ref Cell At(int col, int row) => ref Cells[(row * Cols) + col];

    public void Clear() => Cells.AsSpan().Fill(Cell.Blank);

    public void Fill(int col, int row, int width, int height, Cell cell)
    {
        for (var y = Math.Max(0, row); y < Math.Min(Rows, row + height); y++)
        {
            var start = Math.Max(0, col);
            var end = Math.Min(Cols, col + width);
            if (end > start)
            {
                Cells.AsSpan((y * Cols) + start, end - start).Fill(cell);
            }
        }
    }

    /// <summary>
    /// Writes text from (col, row), at most <paramref name="maxWidth"/> cells. Characters that would
    /// change the terminal (control, formatting) or take two cells are shown as '?'.
    /// </summary>
    public int Text(int col, int row, string text, int maxWidth, int fg = Cell.Default, int bg = Cell.Default)
    {
        if (row < 0 || row >= Rows)
        {
            return 0;
        }

        var written = 0;
        foreach (var c in text)
        {
            if (written >= maxWidth || col + written >= Cols)
            {
                break;
            }

            if (col + written >= 0)
            {
                At(col + written, row) = new Cell(IsSingleWidth(c) ? c : '?', fg, bg);
            }

            written++;
        }

        return written;
    }

    public int TextCentered(int col, int row, int width, string text, int fg = Cell.Default, int bg = Cell.Default)
    {
        var length = Math.Min(text.Length, width);
        return Text(col + ((width - length) / 2), row, text, length, fg, bg);
    }

    private static bool IsSingleWidth(char c)
    {
        if (char.IsSurrogate(c) || c < ' ' || c == '\u007f')
        {
            return false;
        }

        var category = char.GetUnicodeCategory(c);
        if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
        {
            return false;
        }

        // East Asian wide ranges take two cells; keep the grid aligned.
        return !(c is (>= '\u1100' and <= '\u115f') or (>= '\u2e80' and <= '\ua4cf') or (>= '\uac00' and <= '\ud7a3')
            or (>= '\uf900' and <= '\ufaff') or (>= '\ufe30' and <= '\ufe4f') or (>= '\uff00' and <= '\uff60') or (>= '\uffe0' and <= '\uffe6'));
    }
}
