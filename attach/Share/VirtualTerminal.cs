using System.Runtime.InteropServices;
using S2cd.Contract;

namespace S2cAttach.Share;

/// <summary>
/// The shared program's screen, kept by a real terminal emulator: libvterm (Debian's libvterm0, loaded by soname),
/// fed everything the program writes. It keeps the grid, colours, wide characters and the alternate screen, and
/// swallows every sequence that is not drawing (titles, clipboard, reports): a viewer only ever gets its cells.
/// </summary>
internal sealed unsafe partial class VirtualTerminal : IDisposable
{
    private const string Library = "libvterm.so.0";
    private const uint Continuation = 0xFFFFFFFF;
    private readonly nint _vt;
    private readonly nint _screen;
    private readonly byte[] _discard = new byte[4096];

    public VirtualTerminal(int cols, int rows)
    {
        Cols = Math.Clamp(cols, 1, ScreenGrid.MaxCols);
        Rows = Math.Clamp(rows, 1, ScreenGrid.MaxRows);
        _vt = vterm_new(Rows, Cols);
        vterm_set_utf8(_vt, 1);
        _screen = vterm_obtain_screen(_vt);
        vterm_screen_enable_altscreen(_screen, 1);
        vterm_screen_reset(_screen, 1);
    }

    public int Cols { get; private set; }

    public int Rows { get; private set; }

    /// <summary>Whether libvterm can be loaded here, and if not, what to install.</summary>
    public static string? Missing()
    {
        return NativeLibrary.TryLoad(Library, out var handle) ? Free(handle) : "sharing a terminal needs libvterm.so.0 — sudo apt install libvterm0";

        static string? Free(nint handle)
        {
            NativeLibrary.Free(handle);
            return null;
        }
    }

    /// <summary>What the program wrote, as the terminal would take it.</summary>
    public void Write(ReadOnlySpan<byte> output)
    {
        fixed (byte* bytes = output)
        {
            vterm_input_write(_vt, bytes, (nuint)output.Length);
        }

        // What the emulator would answer (cursor reports and the like): the sharer's own terminal answers those.
        fixed (byte* discard = _discard)
        {
            while (vterm_output_read(_vt, discard, (nuint)_discard.Length) > 0)
            {
            }
        }
    }

    /// <summary>A new size (kept within what may be shared).</summary>
    public void Resize(int cols, int rows)
    {
        Cols = Math.Clamp(cols, 1, ScreenGrid.MaxCols);
        Rows = Math.Clamp(rows, 1, ScreenGrid.MaxRows);
        vterm_set_size(_vt, Rows, Cols);
    }

    /// <summary>The screen now, every cell read from the emulator.</summary>
    public ScreenGrid Snapshot(uint sequence)
    {
        var grid = new ScreenGrid(Cols, Rows) { Sequence = sequence };
        VTermScreenCell cell;
        for (var row = 0; row < Rows; row++)
        {
            for (var col = 0; col < Cols; col++)
            {
                vterm_screen_get_cell(_screen, new VTermPos { Row = row, Col = col }, &cell);
                grid.At(col, row) = Convert(ref cell);
            }
        }

        return grid;
    }

    public void Dispose() => vterm_free(_vt);

    private ScreenCell Convert(ref VTermScreenCell cell)
    {
        var first = cell.Chars[0];
        var fg = Colour(cell.Fg, defaultBit: 0x02);
        var bg = Colour(cell.Bg, defaultBit: 0x04);
        var style = CellStyle.None;
        style |= (cell.Attrs & 0x01) != 0 ? CellStyle.Bold : 0;
        style |= (cell.Attrs & 0x06) != 0 ? CellStyle.Underline : 0;
        style |= (cell.Attrs & 0x08) != 0 ? CellStyle.Italic : 0;
        style |= (cell.Attrs & 0x20) != 0 ? CellStyle.Reverse : 0;
        style |= (cell.Attrs & 0x40) != 0 ? CellStyle.Strike : 0;
        if (first == Continuation)
        {
            return new ScreenCell(string.Empty, 0, fg, bg, style);
        }

        var text = first == 0 ? " " : Text(ref cell);
        return new ScreenCell(text, (byte)Math.Clamp((int)cell.Width, 1, 2), fg, bg, style);
    }

    private static string Text(ref VTermScreenCell cell)
    {
        Span<char> chars = stackalloc char[12];
        var length = 0;
        for (var i = 0; i < 6 && cell.Chars[i] != 0; i++)
        {
            if (!System.Text.Rune.TryCreate(cell.Chars[i], out var rune))
            {
                break;
            }

            length += rune.EncodeToUtf16(chars[length..]);
        }

        return length == 0 ? " " : new string(chars[..length]);
    }

    private int Colour(VTermColor colour, byte defaultBit)
    {
        if ((colour.Type & defaultBit) != 0)
        {
            return ScreenCell.DefaultColor;
        }

        vterm_screen_convert_color_to_rgb(_screen, &colour);
        return (colour.Red << 16) | (colour.Green << 8) | colour.Blue;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct VTermPos
    {
        public int Row;
        public int Col;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct VTermColor
    {
        public byte Type;
        public byte Red;
        public byte Green;
        public byte Blue;
    }

    /// <summary>libvterm's VTermScreenCell (40 bytes: six code points, the width, the attribute bits, two colours).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct VTermScreenCell
    {
        public fixed uint Chars[6];
        public byte Width;
        public uint Attrs;
        public VTermColor Fg;
        public VTermColor Bg;
    }

    [LibraryImport(Library)]
    private static partial nint vterm_new(int rows, int cols);

    [LibraryImport(Library)]
    private static partial void vterm_free(nint vt);

    [LibraryImport(Library)]
    private static partial void vterm_set_utf8(nint vt, int isUtf8);

    [LibraryImport(Library)]
    private static partial void vterm_set_size(nint vt, int rows, int cols);

    [LibraryImport(Library)]
    private static partial nuint vterm_input_write(nint vt, byte* bytes, nuint length);

    [LibraryImport(Library)]
    private static partial nuint vterm_output_read(nint vt, byte* buffer, nuint length);

    [LibraryImport(Library)]
    private static partial nint vterm_obtain_screen(nint vt);

    [LibraryImport(Library)]
    private static partial void vterm_screen_enable_altscreen(nint screen, int altscreen);

    [LibraryImport(Library)]
    private static partial void vterm_screen_reset(nint screen, int hard);

    [LibraryImport(Library)]
    private static partial int vterm_screen_get_cell(nint screen, VTermPos pos, VTermScreenCell* cell);

    [LibraryImport(Library)]
    private static partial void vterm_screen_convert_color_to_rgb(nint screen, VTermColor* colour);
}
