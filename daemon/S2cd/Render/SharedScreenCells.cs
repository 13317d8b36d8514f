using S2cd.Contract;

namespace S2cd.Render;

/// <summary>
/// A shared terminal screen in a tile: its cells as they are, from the top left, clipped to the tile, with a mark
/// where it is cut (a column of › on the right, a row saying how much is below). Every cell's text is written as
/// <see cref="TextCells"/> allows (never a control character), reverse video as swapped colours.
/// </summary>
internal static class SharedScreenCells
{
    private const int MarkFg = 0x909090;
    private const int ReversedFg = 0x000000;
    private const int ReversedBg = 0xC0C0C0;

    public static void Draw(Screen screen, ScreenGrid shared, int col, int row, int cols, int rows)
    {
        var cutRight = shared.Cols > cols;
        var cutBelow = shared.Rows > rows;
        var showCols = Math.Min(shared.Cols, cutRight ? cols - 1 : cols);
        var showRows = Math.Min(shared.Rows, cutBelow ? rows - 1 : rows);
        for (var y = 0; y < showRows; y++)
        {
            for (var x = 0; x < showCols; x++)
            {
                var cell = shared.At(x, y);
                var (fg, bg) = cell.Style.HasFlag(CellStyle.Reverse) ? (Or(cell.Bg, ReversedFg), Or(cell.Fg, ReversedBg)) : (cell.Fg, cell.Bg);
                if (cell.Width == 0)
                {
                    // The second half of a wide character, which its first half (written before it) covers.
                    if (x == 0 || shared.At(x - 1, y).Width != 2)
                    {
                        screen.At(col + x, row + y) = new Cell(' ', fg, bg);
                    }

                    continue;
                }

                var (text, width) = TextCells.Measure(cell.Text);
                if (width == 2 && x + 1 >= showCols)
                {
                    screen.At(col + x, row + y) = new Cell(' ', fg, bg);
                    continue;
                }

                screen.At(col + x, row + y) = Cell.Of(text, fg, bg);
                if (width == 2)
                {
                    screen.At(col + x + 1, row + y) = Cell.ContinuationOf(fg, bg);
                    x++;
                }
            }

            if (cutRight)
            {
                screen.At(col + showCols, row + y) = new Cell('›', MarkFg, Cell.Default);
            }
        }

        if (cutBelow)
        {
            screen.Text(col, row + showRows, $"⌄ {shared.Rows - showRows} more rows: s shows it full size", cols, MarkFg, Cell.Default, ellipsis: true);
        }
    }

    // Reverse video of the terminal's own colours: light on dark turned over, as most terminals show it.
    private static int Or(int colour, int fallback) => colour == ScreenCell.DefaultColor ? fallback : colour;
}
