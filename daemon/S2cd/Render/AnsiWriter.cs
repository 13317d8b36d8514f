using System.Text;
using S2cd.Contract;

namespace S2cd.Render;

/// <summary>
/// Writes what changed between the screen a terminal shows and the next one, as ANSI: changed runs
/// of cells with cursor moves between them, a colour sequence only where the colour changes, and
/// short unchanged gaps rewritten rather than jumped over (when that is shorter).
/// </summary>
internal static class AnsiWriter
{
    private const string Esc = "\u001b[";
    private const int GapRewrite = 6;

    /// <summary>
    /// Appends the ANSI that turns <paramref name="shown"/> into <paramref name="next"/> (same size), then
    /// copies <paramref name="next"/> into <paramref name="shown"/>. Returns the number of cells written.
    /// </summary>
    public static int Diff(Screen shown, Screen next, ColorDepth colors, StringBuilder output)
    {
        var cols = next.Cols;
        var a = shown.Cells;
        var b = next.Cells;
        var fg = int.MinValue;
        var bg = int.MinValue;
        var written = 0;
        for (var row = 0; row < next.Rows; row++)
        {
            var start = row * cols;
            var cursor = -1;
            for (var col = 0; col < cols; col++)
            {
                if (a[start + col] == b[start + col])
                {
                    continue;
                }

                // A changed second half of a wide cluster is written by writing the cluster, from its first cell.
                var at = b[start + col].Continuation && col > 0 && IsWide(b, start, col - 1, cols) ? col - 1 : col;
                if (at < cursor)
                {
                    continue;
                }

                if (cursor >= 0 && at > cursor && at - cursor <= GapRewrite)
                {
                    // Rewriting a short unchanged gap is shorter than a cursor move.
                    for (var g = cursor; g < at;)
                    {
                        var cells = Put(output, b, start, g, cols, colors, ref fg, ref bg);
                        written += cells;
                        g += cells;
                    }
                }
                else if (cursor != at)
                {
                    output.Append(Esc).Append(row + 1).Append(';').Append(at + 1).Append('H');
                }

                var width = Put(output, b, start, at, cols, colors, ref fg, ref bg);
                written += width;
                cursor = at + width;
                col = cursor - 1;
            }
        }

        if (fg != int.MinValue || bg != int.MinValue)
        {
            output.Append(Esc).Append("0m");
        }

        b.AsSpan().CopyTo(a);
        return written;
    }

    /// <summary>
    /// Writes the cell at <paramref name="col"/>; returns the cells the terminal's cursor moved: 2 for a wide
    /// cluster (its continuation is covered), else 1. A continuation whose cluster is gone is written as a blank.
    /// </summary>
    private static int Put(StringBuilder output, Cell[] cells, int start, int col, int cols, ColorDepth colors, ref int fg, ref int bg)
    {
        var cell = cells[start + col];
        var blank = cell.Continuation || (cell.Cluster is null && cell.Ch == ' ');

        // A blank shows no foreground: keep whatever colour is set rather than switching for it.
        var wantFg = blank ? fg : cell.Fg;
        if (wantFg != fg || cell.Bg != bg)
        {
            output.Append(Esc);
            var first = true;
            if (wantFg != fg)
            {
                Color(output, wantFg, foreground: true, colors);
                fg = wantFg;
                first = false;
            }

            if (cell.Bg != bg)
            {
                if (!first)
                {
                    output.Append(';');
                }

                Color(output, cell.Bg, foreground: false, colors);
                bg = cell.Bg;
            }

            output.Append('m');
        }

        if (cell.Continuation)
        {
            output.Append(' ');
            return 1;
        }

        if (cell.Cluster is null)
        {
            output.Append(cell.Ch);
        }
        else
        {
            output.Append(cell.Cluster);
        }

        return IsWide(cells, start, col, cols) ? 2 : 1;
    }

    /// <summary>Whether the cell at <paramref name="col"/> holds a two-cell cluster whose second cell follows it.</summary>
    private static bool IsWide(Cell[] cells, int start, int col, int cols)
    {
        if (col + 1 >= cols || !cells[start + col + 1].Continuation || cells[start + col].Continuation)
        {
            return false;
        }

        var cell = cells[start + col];
        return TextCells.Measure(cell.Cluster ?? cell.Ch.ToString()).Width == 2;
    }

    private static void Color(StringBuilder output, int rgb, bool foreground, ColorDepth colors)
    {
        if (rgb == Cell.Default || rgb == int.MinValue)
        {
            output.Append(foreground ? "39" : "49");
            return;
        }

        int r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
        if (colors == ColorDepth.TrueColor)
        {
            output.Append(foreground ? "38;2;" : "48;2;").Append(r).Append(';').Append(g).Append(';').Append(b);
        }
        else
        {
            output.Append(foreground ? "38;5;" : "48;5;").Append(Xterm256(r, g, b));
        }
    }

    /// <summary>The nearest colour of the xterm palette: the 6×6×6 cube or the 24-step grey ramp.</summary>
    internal static int Xterm256(int r, int g, int b)
    {
        static int Level(int v) => v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40;
        static int Value(int level) => level == 0 ? 0 : 55 + (level * 40);
        int lr = Level(r), lg = Level(g), lb = Level(b);
        var cube = 16 + (36 * lr) + (6 * lg) + lb;
        var cubeError = Square(Value(lr) - r) + Square(Value(lg) - g) + Square(Value(lb) - b);
        var grey = (r + g + b) / 3;
        var greyIndex = grey > 238 ? 23 : Math.Max(0, (grey - 3) / 10);
        var greyValue = 8 + (greyIndex * 10);
        var greyError = Square(greyValue - r) + Square(greyValue - g) + Square(greyValue - b);
        return greyError < cubeError ? 232 + greyIndex : cube;
    }

    private static int Square(int v) => v * v;
}
