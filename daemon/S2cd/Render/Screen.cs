using S2cd.Contract;

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
    /// Writes text from (col, row), at most <paramref name="maxWidth"/> cells, a grapheme cluster at a time: wide
    /// ones (CJK, Hangul, most emoji) take two cells, combining marks stay with their base, and clusters that would
    /// change the terminal are shown as '?' (<see cref="TextCells"/>). Text that does not fit is cut at a cluster
    /// boundary, with "…" when <paramref name="ellipsis"/> is set. Returns the cells written.
    /// </summary>
    public int Text(int col, int row, string text, int maxWidth, int fg = Cell.Default, int bg = Cell.Default, bool ellipsis = false)
    {
        if (row < 0 || row >= Rows || maxWidth <= 0)
        {
            return 0;
        }

        var limit = Math.Min(maxWidth, Cols - col);
        if (ellipsis)
        {
            text = TextCells.Fit(text, limit);
        }

        var written = 0;
        foreach (var (cluster, width) in TextCells.Clusters(text))
        {
            if (written + width > limit)
            {
                break;
            }

            var x = col + written;
            if (x >= 0)
            {
                Put(x, row, Cell.Of(cluster, fg, bg));
                if (width == 2)
                {
                    Put(x + 1, row, Cell.ContinuationOf(fg, bg));
                }
            }

            written += width;
        }

        return written;
    }

    public int TextCentered(int col, int row, int width, string text, int fg = Cell.Default, int bg = Cell.Default)
    {
        var length = Math.Min(TextCells.Width(text), width);
        return Text(col + ((width - length) / 2), row, text, length, fg, bg);
    }

    /// <summary>
    /// Puts one cell, keeping wide clusters whole: the half of a wide cluster that is not overwritten becomes a
    /// blank, as a terminal would show it.
    /// </summary>
    private void Put(int col, int row, Cell cell)
    {
        ref var target = ref At(col, row);
        if (target.Continuation && !cell.Continuation && col > 0)
        {
            At(col - 1, row) = new Cell(' ', At(col - 1, row).Fg, At(col - 1, row).Bg);
        }

        if (!target.Continuation && col + 1 < Cols && At(col + 1, row).Continuation && !cell.Continuation)
        {
            ref var next = ref At(col + 1, row);
            next = new Cell(' ', next.Fg, next.Bg);
        }

        target = cell;
    }
}
