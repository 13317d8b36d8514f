using System.Text;
using S2cd.Contract;

namespace S2cd.Render;

/// <summary>
/// Writes what changed between the screen a terminal shows and the next one, as ANSI: changed runs
/// of cells with cursor moves between them, a colour sequence only where the colour changes, and
/// short unchanged gaps rewritten rather than jumped over (when that is shorter).
/// Picture cells may be written approximately, within a <see cref="Tolerance"/>: one that still looks like
/// what the terminal shows is left alone, and one whose colour is close to the colour already set takes it
/// rather than a sequence of its own. A half-block cell is written in whichever of its equivalent forms
/// (▀, ▄, or a space or █ when both halves look alike) costs the fewest bytes. Labels and text are exact.
/// </summary>
internal static partial class AnsiWriter
{
    private const string Esc = "\u001b[";
    private const int GapRewrite = 8;
    private const char UpperHalf = '\u2580';
    private const char LowerHalf = '\u2584';
    private const char FullBlock = '\u2588';

    /// <summary>
    /// Appends the ANSI that turns <paramref name="shown"/> into <paramref name="next"/> (same size), then
    /// copies <paramref name="next"/> into <paramref name="shown"/>. Returns the number of cells written.
    /// </summary>
    public static int Diff(Screen shown, Screen next, ColorDepth colors, StringBuilder output, Tolerance tolerance = default)
    {
        var written = Write(shown, next, colors, output, tolerance);
        next.Cells.AsSpan().CopyTo(shown.Cells);
        return written;
    }

    /// <summary>
    /// Appends the ANSI that turns <paramref name="shown"/> into what <paramref name="next"/> asks for, and leaves
    /// in <paramref name="next"/> exactly what the terminal then shows (picture cells as they were written, or as
    /// they are shown where they were left alone). <paramref name="basis"/>, when given, holds what each picture
    /// cell shown was asked to be when it was written (before it was evened out or given a nearby colour): a cell
    /// is left alone when what it is asked to be now is within <see cref="Tolerance.Keep"/> of that, so that
    /// noise does not undo the evening out. Neither <paramref name="shown"/> nor <paramref name="basis"/> is
    /// changed. Returns the cells written.
    /// </summary>
    public static int Write(Screen shown, Screen next, ColorDepth colors, StringBuilder output, Tolerance tolerance, Screen? basis = null)
    {
        Span<Tolerance> rows = next.Rows <= 512 ? stackalloc Tolerance[next.Rows] : new Tolerance[next.Rows];
        rows.Fill(tolerance);
        return Write(shown, next, colors, output, rows, basis);
    }

    /// <summary>
    /// As <see cref="Write(Screen, Screen, ColorDepth, StringBuilder, Tolerance, Screen?)"/>, with a tolerance for each
    /// row, and with <paramref name="ranks"/>, when given, the <see cref="Tolerance.Rank"/> each shown cell was
    /// written at.
    /// </summary>
    public static int Write(Screen shown, Screen next, ColorDepth colors, StringBuilder output, ReadOnlySpan<Tolerance> rows, Screen? basis = null, ReadOnlySpan<byte> ranks = default)
    {
        var cols = next.Cols;
        var a = shown.Cells;
        var b = next.Cells;
        var asked = (basis ?? shown).Cells;
        for (var i = 0; i < b.Length; i++)
        {
            var tolerance = rows[i / cols];
            // Left as it is when it is asked to be what it was asked to be when written, give or take the noise, and
            // it was written no more coarsely than this row is now (a cell written coarsely to fit a budget is
            // written again once there is room).
            if (b[i].Picture && a[i].Picture && a[i] != b[i] && Looks(asked[i], b[i], tolerance.Keep)
                && (ranks.IsEmpty ? Looks(a[i], AsShown(b[i], colors), (2 * tolerance.Share) + tolerance.Keep) : ranks[i] <= tolerance.Rank))
            {
                b[i] = a[i];
            }
        }

        for (var row = 0; row < next.Rows; row++)
        {
            if (rows[row].Share > 0)
            {
                Smooth(a.AsSpan(row * cols, cols), b.AsSpan(row * cols, cols), rows[row].Share, top: true);
                Smooth(a.AsSpan(row * cols, cols), b.AsSpan(row * cols, cols), rows[row].Share, top: false);
            }
        }

        var pen = new Pen(colors);
        var written = 0;
        for (var row = 0; row < next.Rows; row++)
        {
            var start = row * cols;
            var cursor = -1;
            pen.Share = rows[row].Share / 2;
            for (var col = 0; col < cols; col++)
            {
                ref var wanted = ref b[start + col];
                if (a[start + col] == wanted)
                {
                    continue;
                }

                // A changed second half of a wide cluster is written by writing the cluster, from its first cell.
                var at = wanted.Continuation && col > 0 && IsWide(b, start, col - 1, cols) ? col - 1 : col;
                if (at < cursor)
                {
                    continue;
                }

                if (cursor >= 0 && at > cursor && at - cursor <= GapRewrite)
                {
                    written += RewriteOrMove(output, a, b, start, row, cursor, at, cols, ref pen);
                }
                else if (cursor != at)
                {
                    Move(output, row, at);
                }

                var width = Put(output, b, start, at, cols, ref pen);
                written += width;
                cursor = at + width;
                col = cursor - 1;
            }
        }

        if (pen.Fg != int.MinValue || pen.Bg != int.MinValue)
        {
            output.Append(Esc).Append("0m");
        }

        return written;
    }

    /// <summary>
    /// Rewrites the unchanged cells from <paramref name="from"/> to <paramref name="to"/> when that is no longer
    /// than a cursor move there, else moves the cursor. Returns the cells rewritten.
    /// </summary>
    private static int RewriteOrMove(StringBuilder output, Cell[] a, Cell[] b, int start, int row, int from, int to, int cols, ref Pen pen)
    {
        var mark = output.Length;
        var before = pen;
        var rewritten = 0;
        for (var g = from; g < to;)
        {
            var cells = Put(output, b, start, g, cols, ref pen);
            rewritten += cells;
            g += cells;
        }

        if (output.Length - mark <= MoveLength(row, to))
        {
            return rewritten;
        }

        // Cheaper to jump: undo the rewrite (the cells were as shown before it).
        output.Length = mark;
        pen = before;
        a.AsSpan(start + from, to - from).CopyTo(b.AsSpan(start + from));
        Move(output, row, to);
        return 0;
    }

    /// <summary>
    /// Evens out the changed half-block picture cells of a row, one half at a time: each run of neighbours whose
    /// colours span no more than 2 × <paramref name="share"/> in any channel takes the run's mean colour, so that it
    /// is written with one colour sequence instead of one per cell.
    /// </summary>
    private static void Smooth(ReadOnlySpan<Cell> shown, Span<Cell> row, int share, bool top)
    {
        var start = 0;
        while (start < row.Length)
        {
            if (!Evens(shown, row, start))
            {
                start++;
                continue;
            }

            var first = top ? row[start].Fg : row[start].Bg;
            int minR = (first >> 16) & 0xFF, maxR = minR, minG = (first >> 8) & 0xFF, maxG = minG, minB = first & 0xFF, maxB = minB;
            int sumR = minR, sumG = minG, sumB = minB;
            var end = start + 1;
            for (; end < row.Length && Evens(shown, row, end); end++)
            {
                var c = top ? row[end].Fg : row[end].Bg;
                int r = (c >> 16) & 0xFF, g = (c >> 8) & 0xFF, b = c & 0xFF;
                if (Math.Max(maxR, r) - Math.Min(minR, r) > 2 * share || Math.Max(maxG, g) - Math.Min(minG, g) > 2 * share || Math.Max(maxB, b) - Math.Min(minB, b) > 2 * share)
                {
                    break;
                }

                (minR, maxR, minG, maxG, minB, maxB) = (Math.Min(minR, r), Math.Max(maxR, r), Math.Min(minG, g), Math.Max(maxG, g), Math.Min(minB, b), Math.Max(maxB, b));
                sumR += r;
                sumG += g;
                sumB += b;
            }

            var n = end - start;
            var mean = ((sumR + (n / 2)) / n << 16) | ((sumG + (n / 2)) / n << 8) | ((sumB + (n / 2)) / n);
            for (var i = start; i < end; i++)
            {
                if (top)
                {
                    row[i].Fg = mean;
                }
                else
                {
                    row[i].Bg = mean;
                }
            }

            start = end;
        }
    }

    private static bool Evens(ReadOnlySpan<Cell> shown, Span<Cell> row, int i) => row[i].Picture && row[i].Ch == UpperHalf && row[i] != shown[i];

    private static void Move(StringBuilder output, int row, int col) =>
        output.Append(Esc).Append(row + 1).Append(';').Append(col + 1).Append('H');

    private static int MoveLength(int row, int col) => 4 + Digits(row + 1) + Digits(col + 1);

    /// <summary>
    /// Writes the cell at <paramref name="col"/> (a picture cell in its cheapest form, which then replaces it);
    /// returns the cells the terminal's cursor moved: 2 for a wide cluster (its continuation is covered), else 1.
    /// A continuation whose cluster is gone is written as a blank.
    /// </summary>
    private static int Put(StringBuilder output, Cell[] cells, int start, int col, int cols, ref Pen pen)
    {
        ref var cell = ref cells[start + col];
        if (cell.Picture)
        {
            cell = pen.Cheapest(cell);
        }

        var blank = cell.Continuation || (cell.Cluster is null && cell.Ch == ' ');

        // A blank shows no foreground: keep whatever colour is set rather than switching for it.
        pen.Set(output, blank ? pen.Fg : cell.Fg, cell.Bg);
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

    /// <summary>Whether picture cell <paramref name="shown"/> looks like <paramref name="wanted"/>, every colour within <paramref name="tolerance"/>.</summary>
    private static bool Looks(in Cell shown, in Cell wanted, int tolerance)
    {
        if (IsHalves(shown.Ch) && IsHalves(wanted.Ch))
        {
            var (shownTop, shownBottom) = Halves(shown);
            var (wantedTop, wantedBottom) = Halves(wanted);
            return Close(shownTop, wantedTop, tolerance) && Close(shownBottom, wantedBottom, tolerance);
        }

        return shown.Ch == wanted.Ch && Close(shown.Fg, wanted.Fg, tolerance) && Close(shown.Bg, wanted.Bg, tolerance);
    }

    /// <summary>A cell's colours as the terminal would show them: in 256 colours, the palette's.</summary>
    private static Cell AsShown(Cell cell, ColorDepth colors)
    {
        if (colors == ColorDepth.Ansi256)
        {
            cell.Fg = InPalette(cell.Fg);
            cell.Bg = InPalette(cell.Bg);
        }

        return cell;
    }

    private static bool IsHalves(char ch) => ch is UpperHalf or LowerHalf or FullBlock or ' ';

    /// <summary>The colours a half-block cell shows in its top and bottom half.</summary>
    private static (int Top, int Bottom) Halves(in Cell cell) => cell.Ch switch
    {
        LowerHalf => (cell.Bg, cell.Fg),
        FullBlock => (cell.Fg, cell.Fg),
        ' ' => (cell.Bg, cell.Bg),
        _ => (cell.Fg, cell.Bg),
    };

    /// <summary>Whether two colours differ by at most <paramref name="tolerance"/> in each channel (the terminal's default only matches itself).</summary>
    internal static bool Close(int x, int y, int tolerance)
    {
        if (x == y)
        {
            return true;
        }

        if (x < 0 || y < 0 || tolerance == 0)
        {
            return false;
        }

        return Math.Abs(((x >> 16) & 0xFF) - ((y >> 16) & 0xFF)) <= tolerance
            && Math.Abs(((x >> 8) & 0xFF) - ((y >> 8) & 0xFF)) <= tolerance
            && Math.Abs((x & 0xFF) - (y & 0xFF)) <= tolerance;
    }

    private static int Digits(int value) => value < 10 ? 1 : value < 100 ? 2 : 3;

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

    /// <summary>The colour of xterm palette entry <paramref name="index"/> (16–255) as 0xRRGGBB.</summary>
    internal static int XtermColor(int index)
    {
        if (index >= 232)
        {
            var grey = 8 + ((index - 232) * 10);
            return (grey << 16) | (grey << 8) | grey;
        }

        static int Value(int level) => level == 0 ? 0 : 55 + (level * 40);
        var cube = index - 16;
        return (Value(cube / 36) << 16) | (Value(cube / 6 % 6) << 8) | Value(cube % 6);
    }

    private static int Square(int v) => v * v;

    private static int InPalette(int rgb) => rgb < 0 ? rgb : XtermColor(Xterm256((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF));
}
