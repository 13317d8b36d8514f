using System.Globalization;
using System.Text;
using S2cd.Contract;

namespace S2cd.Render;

/// <summary>
/// One subscriber's view: lays out the tiles and the status line at the subscriber's terminal size,
/// renders them, and produces the ANSI that changes what the terminal shows into the new frame.
/// Keeps the last frame written, so each frame after the first is a diff. Picture cells are written within a
/// small tolerance (camera noise on a still picture costs nothing); when a frame would take more than
/// <see cref="ByteBudget"/>, the tolerance is raised until it fits, so the biggest changes go first and a
/// picture that stops moving is refined over the next frames.
/// </summary>
internal sealed class ViewRenderer
{
    private const int LabelFg = 0xFFFFFF;
    private const int LabelBg = 0x303030;
    private const int SelfLabelBg = 0x1F3F5F;
    private const int MutedFg = 0xFF6060;
    private const int SpeakingFg = 0x60FF60;
    private const int StatusFg = 0x000000;
    private const int StatusBg = 0xC0C0C0;
    private const int PlaceholderFg = 0x909090;
    private readonly PictureRenderer _pictures = new();
    /// <summary>
    /// The tolerances tried in turn until a frame fits its budget. The first is what every frame gets when there
    /// is room: within it, a still picture's noise is left alone and neighbouring cells share colour sequences,
    /// at a cost of well under 1 dB of PSNR. The last leaves every picture cell as it is shown.
    /// </summary>
    internal static readonly Tolerance[] Levels =
    [
        new(8, 16, 0), new(12, 22, 1), new(16, 28, 2), new(24, 36, 3), new(36, 48, 4), new(56, 64, 5), new(84, 84, 6), new(128, 128, 7), new(256, 256, 8),
    ];

    private readonly StringBuilder _output = new(64 * 1024);
    private Screen _shown;
    private Screen _next;
    private Screen _composed;
    private Screen _basis;
    private Tolerance[] _rowLevels = [];
    private byte[] _ranks = [];
    private int _bandStart;
    private bool _fullRedraw = true;

    public ViewRenderer(int cols, int rows, RenderOptions options)
    {
        Options = options;
        _shown = new Screen(cols, rows);
        _next = new Screen(cols, rows);
        _composed = new Screen(cols, rows);
        _basis = new Screen(cols, rows);
        _rowLevels = new Tolerance[rows];
        _ranks = new byte[cols * rows];
    }

    /// <summary>The most bytes a frame should take (the terminal's output is slow); null for no limit.</summary>
    public int? ByteBudget { get; set; }

    /// <summary>The tolerance level the last frame was written at (0: the finest), for tests and figures.</summary>
    public int LastLevel { get; private set; }

    public RenderOptions Options { get; }

    public int Cols => _next.Cols;

    public int Rows => _next.Rows;

    /// <summary>The screen of the last frame, for tests.</summary>
    public Screen Shown => _shown;

    /// <summary>
    /// A new terminal size: the next frame clears the terminal and draws everything. The same size again (a
    /// SIGWINCH that changed nothing: tmux sends them when clients come and go) keeps the screen as it is.
    /// </summary>
    public void Resize(int cols, int rows)
    {
        if (cols == Cols && rows == Rows)
        {
            return;
        }

        _shown = new Screen(cols, rows);
        _next = new Screen(cols, rows);
        _composed = new Screen(cols, rows);
        _basis = new Screen(cols, rows);
        _rowLevels = new Tolerance[rows];
        _ranks = new byte[cols * rows];
        _bandStart = 0;
        _fullRedraw = true;
    }

    /// <summary>
    /// Renders a frame and returns the ANSI text that shows it (empty when nothing changed): the tiles, the chat strip's
    /// rows above the status line (as many as leave a row for the pictures), the status line, and the keys over it all.
    /// </summary>
    public string Render(IReadOnlyList<Tile> tiles, string status, bool keys = false, IReadOnlyList<ChatStrip.Run[]>? strip = null)
    {
        Compose(tiles, status, strip ?? []);
        if (keys)
        {
            KeysOverlay.Draw(_composed);
        }

        _output.Clear();
        if (_fullRedraw)
        {
            // Clear the terminal and start from a blank screen, so the diff writes everything that is not blank.
            _output.Append("\u001b[0m\u001b[2J");
            _shown.Clear();
            _basis.Clear();
            Array.Clear(_ranks);
            _fullRedraw = false;
        }

        var start = _output.Length;
        _output.Append("\u001b[?2026h");
        var cells = WriteWithinBudget(_output.Length);
        if (cells == 0 && start == 0)
        {
            return string.Empty;
        }

        _output.Append("\u001b[?2026l");
        return _output.ToString();
    }

    /// <summary>
    /// Writes the composed frame at the finest tolerance that fits the budget, then spends what is left of the
    /// budget on a band of rows one level finer; the band moves on from frame to frame, so a still picture written
    /// coarsely is brought, level by level, to the finest. Returns the cells written.
    /// </summary>
    private int WriteWithinBudget(int body)
    {
        var rows = _rowLevels.AsSpan(0, _composed.Rows);
        var level = 0;
        while (true)
        {
            rows.Fill(Levels[level]);
            if (TryWrite(body, rows, out var cells) || level == Levels.Length - 1)
            {
                LastLevel = level;
                if (level > 0)
                {
                    cells = Refine(body, rows, level, cells);
                }

                Commit(rows);
                return cells;
            }

            level++;
        }
    }

    /// <summary>Finds the most rows from the moving band start that fit one level finer; writes the frame with them.</summary>
    private int Refine(int body, Span<Tolerance> rows, int level, int cells)
    {
        var count = rows.Length;
        int fits = 0, low = 1, high = count;
        while (low <= high)
        {
            var band = (low + high) / 2;
            Band(rows, level, band);
            if (TryWrite(body, rows, out _))
            {
                fits = band;
                low = band + 1;
            }
            else
            {
                high = band - 1;
            }
        }

        Band(rows, level, fits);
        if (fits == 0 || !TryWrite(body, rows, out var refined))
        {
            rows.Fill(Levels[level]);
            TryWrite(body, rows, out refined);
            return refined;
        }

        _bandStart = (_bandStart + fits) % count;
        return refined;
    }

    private void Band(Span<Tolerance> rows, int level, int band)
    {
        rows.Fill(Levels[level]);
        for (var i = 0; i < band; i++)
        {
            rows[(_bandStart + i) % rows.Length] = Levels[level - 1];
        }
    }

    /// <summary>Writes the frame into the output at these tolerances; true when it fits the budget.</summary>
    private bool TryWrite(int body, ReadOnlySpan<Tolerance> rows, out int cells)
    {
        _output.Length = body;
        _composed.Cells.AsSpan().CopyTo(_next.Cells);
        cells = AnsiWriter.Write(_shown, _next, Options.Colors, _output, rows, _basis, _ranks);
        return ByteBudget is not { } budget || Utf8Length(_output) <= budget;
    }

    /// <summary>The frame last written is what the terminal shows; each cell that changed remembers what it was asked to be.</summary>
    private void Commit(ReadOnlySpan<Tolerance> rows)
    {
        var (shown, next, composed, basis) = (_shown.Cells, _next.Cells, _composed.Cells, _basis.Cells);
        for (var i = 0; i < next.Length; i++)
        {
            if (next[i] != shown[i])
            {
                basis[i] = composed[i];
                _ranks[i] = rows[i / _next.Cols].Rank;
            }
        }

        next.AsSpan().CopyTo(shown);
    }

    private static int Utf8Length(StringBuilder text)
    {
        var bytes = 0;
        foreach (var chunk in text.GetChunks())
        {
            bytes += Encoding.UTF8.GetByteCount(chunk.Span);
        }

        return bytes;
    }

    private void Compose(IReadOnlyList<Tile> tiles, string status, IReadOnlyList<ChatStrip.Run[]> strip)
    {
        var screen = _composed;
        screen.Clear();
        var stripRows = Math.Min(strip.Count, screen.Rows - 2);
        var area = screen.Rows - 1 - stripRows;
        if (tiles.Count == 0)
        {
            screen.TextCentered(0, area / 2, screen.Cols, "Not in a session: s2c-attach join SESSION", PlaceholderFg);
        }
        else
        {
            var (columns, rows) = GridLayout.Choose(tiles.Count, screen.Cols, area);
            var tileCols = screen.Cols / columns;
            var tileRows = area / rows;
            for (var i = 0; i < tiles.Count; i++)
            {
                var col = (i % columns) * tileCols;
                var row = (i / columns) * tileRows;
                DrawTile(screen, tiles[i], col, row, tileCols, tileRows);
            }
        }

        // The input line is the strip's last row: a strip cut to fit keeps its end.
        ChatStrip.Draw(screen, area, strip.Skip(strip.Count - stripRows).ToList());
        screen.Fill(0, screen.Rows - 1, screen.Cols, 1, new Cell(' ', StatusFg, StatusBg));
        screen.Text(0, screen.Rows - 1, status, screen.Cols, StatusFg, StatusBg);
    }

    private void DrawTile(Screen screen, Tile tile, int col, int row, int cols, int rows)
    {
        // The label: name, then the marks, on one row above the picture.
        var width = Math.Max(1, cols - 1);
        screen.Fill(col, row, width, 1, new Cell(' ', LabelFg, tile.IsSelf ? SelfLabelBg : LabelBg));
        var bg = tile.IsSelf ? SelfLabelBg : LabelBg;
        // A name too long for its label is cut at a cluster boundary with "…", keeping " (you)".
        var suffix = tile.IsSelf ? " (you)" : string.Empty;
        var name = TextCells.Fit(tile.Name, Math.Max(1, width - 2 - suffix.Length));
        var x = col + screen.Text(col, row, (tile.Speaking ? "\u25cf " : "  ") + name + suffix, width, LabelFg, bg);
        if (tile.Speaking)
        {
            screen.At(col, row).Fg = SpeakingFg;
        }

        if (tile.Muted && tile.Screen is null)
        {
            x += screen.Text(x, row, " [muted]", col + width - x, MutedFg, bg);
        }

        if (tile.Refused)
        {
            screen.Text(x, row, " [refused]", col + width - x, MutedFg, bg);
        }

        if (tile.Screen is null && tile.CameraOn && tile.Picture is not null && tile.Fps > 0)
        {
            var fps = string.Create(CultureInfo.InvariantCulture, $"{tile.Fps:0} fps ");
            screen.Text(col + width - fps.Length, row, fps, fps.Length, PlaceholderFg, bg);
        }

        var pictureRows = rows - 1;
        if (pictureRows < 1)
        {
            return;
        }

        if (tile.Screen is { } shared)
        {
            SharedScreenCells.Draw(screen, shared, col, row + 1, width, pictureRows);
        }
        else if (tile.Refused)
        {
            Placeholder(screen, col, row + 1, width, pictureRows, "refused: see who");
        }
        else if (!tile.CameraOn)
        {
            Placeholder(screen, col, row + 1, width, pictureRows, "camera off");
        }
        else if (tile.Picture is null)
        {
            Placeholder(screen, col, row + 1, width, pictureRows, "waiting for video");
        }
        else
        {
            _pictures.Render(tile.Picture, screen, col, row + 1, width, pictureRows, Options);
        }
    }

    private static void Placeholder(Screen screen, int col, int row, int cols, int rows, string text)
    {
        var (pc, pr) = PictureRenderer.Fit(4, 3, cols, rows);
        var left = col + ((cols - pc) / 2);
        var top = row + ((rows - pr) / 2);
        for (var y = top; y < top + pr; y++)
        {
            screen.At(left, y) = new Cell('\u2502', PlaceholderFg, Cell.Default);
            screen.At(left + pc - 1, y) = new Cell('\u2502', PlaceholderFg, Cell.Default);
        }

        screen.Fill(left, top, pc, 1, new Cell('\u2500', PlaceholderFg, Cell.Default));
        screen.Fill(left, top + pr - 1, pc, 1, new Cell('\u2500', PlaceholderFg, Cell.Default));
        if (pr >= 2 && pc >= 2)
        {
            screen.At(left, top) = new Cell('\u250c', PlaceholderFg, Cell.Default);
            screen.At(left + pc - 1, top) = new Cell('\u2510', PlaceholderFg, Cell.Default);
            screen.At(left, top + pr - 1) = new Cell('\u2514', PlaceholderFg, Cell.Default);
            screen.At(left + pc - 1, top + pr - 1) = new Cell('\u2518', PlaceholderFg, Cell.Default);
        }

        screen.TextCentered(left + 1, top + (pr / 2), Math.Max(0, pc - 2), text, PlaceholderFg);
    }
}
