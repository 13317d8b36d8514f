using System.Globalization;

namespace S2cd.Tests.Support;

/// <summary>
/// What a terminal shows of half-block pictures, decoded from the ANSI text written to it: every cell is two
/// pixels, its top and bottom half. Understands what s2cd's views and chafa write (cursor moves, newlines, SGR
/// truecolor and 256-colour sequences, ▀ ▄ █ and space); other sequences are skipped and other characters take
/// the foreground colour. Used by tests and by the render benchmark to measure a picture as placed.
/// </summary>
internal sealed class TerminalPicture
{
    /// <summary>What the terminal's default colours are taken to be.</summary>
    public const int DefaultForeground = 0xFFFFFF;

    public const int DefaultBackground = 0x000000;

    private readonly int[] _top;
    private readonly int[] _bottom;
    private int _row;
    private int _col;
    private int _fg = DefaultForeground;
    private int _bg = DefaultBackground;

    public TerminalPicture(int cols, int rows)
    {
        Cols = cols;
        Rows = rows;
        _top = new int[cols * rows];
        _bottom = new int[cols * rows];
        Clear();
    }

    public int Cols { get; }

    public int Rows { get; }

    /// <summary>The colours (0xRRGGBB) of the top and bottom half of a cell.</summary>
    public (int Top, int Bottom) At(int col, int row) => (_top[(row * Cols) + col], _bottom[(row * Cols) + col]);

    /// <summary>Feeds text written to the terminal.</summary>
    public void Feed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\u001b')
            {
                i = Escape(text, i);
            }
            else if (c == '\n')
            {
                _row++;
                _col = 0;
            }
            else if (c == '\r')
            {
                _col = 0;
            }
            else if (c >= ' ')
            {
                Put(c);
            }
        }
    }

    /// <summary>
    /// The pixels of a rectangle of cells as 8-bit RGB, two pixel rows per cell row (width <paramref name="cols"/>,
    /// height 2 × <paramref name="rows"/>).
    /// </summary>
    public byte[] Rgb(int col, int row, int cols, int rows)
    {
        var rgb = new byte[cols * rows * 2 * 3];
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                var (top, bottom) = At(col + x, row + y);
                Pixel(rgb, ((2 * y * cols) + x) * 3, top);
                Pixel(rgb, ((((2 * y) + 1) * cols) + x) * 3, bottom);
            }
        }

        return rgb;
    }

    /// <summary>The colour of entry <paramref name="index"/> of xterm's 256-colour palette.</summary>
    public static int Xterm(int index)
    {
        if (index < 16)
        {
            int[] system = [0x000000, 0xCD0000, 0x00CD00, 0xCDCD00, 0x0000EE, 0xCD00CD, 0x00CDCD, 0xE5E5E5, 0x7F7F7F, 0xFF0000, 0x00FF00, 0xFFFF00, 0x5C5CFF, 0xFF00FF, 0x00FFFF, 0xFFFFFF];
            return system[index];
        }

        if (index >= 232)
        {
            var grey = 8 + ((index - 232) * 10);
            return (grey << 16) | (grey << 8) | grey;
        }

        static int Level(int level) => level == 0 ? 0 : 55 + (level * 40);
        var cube = index - 16;
        return (Level(cube / 36) << 16) | (Level(cube / 6 % 6) << 8) | Level(cube % 6);
    }

    private static void Pixel(byte[] rgb, int at, int color)
    {
        rgb[at] = (byte)(color >> 16);
        rgb[at + 1] = (byte)(color >> 8);
        rgb[at + 2] = (byte)color;
    }

    private void Clear()
    {
        _top.AsSpan().Fill(DefaultBackground);
        _bottom.AsSpan().Fill(DefaultBackground);
    }

    private void Put(char c)
    {
        if (_row >= 0 && _row < Rows && _col >= 0 && _col < Cols)
        {
            var at = (_row * Cols) + _col;
            (_top[at], _bottom[at]) = c switch
            {
                '\u2580' => (_fg, _bg),
                '\u2584' => (_bg, _fg),
                '\u2588' => (_fg, _fg),
                ' ' => (_bg, _bg),
                _ => (_fg, _fg),
            };
        }

        _col++;
    }

    /// <summary>Reads one escape sequence starting at <paramref name="start"/>; returns the index of its last character.</summary>
    private int Escape(string text, int start)
    {
        if (start + 1 >= text.Length || text[start + 1] != '[')
        {
            return Math.Min(start + 1, text.Length - 1);
        }

        var end = start + 2;
        while (end < text.Length && text[end] is not (>= '@' and <= '~'))
        {
            end++;
        }

        if (end >= text.Length)
        {
            return text.Length - 1;
        }

        var parameters = text[(start + 2)..end];
        switch (text[end])
        {
            case 'H' when !parameters.StartsWith('?'):
                var parts = parameters.Split(';');
                _row = (parts.Length > 0 && parts[0].Length > 0 ? int.Parse(parts[0], CultureInfo.InvariantCulture) : 1) - 1;
                _col = (parts.Length > 1 && parts[1].Length > 0 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1) - 1;
                break;
            case 'J' when parameters == "2":
                Clear();
                break;
            case 'm':
                Sgr(parameters);
                break;
        }

        return end;
    }

    private void Sgr(string parameters)
    {
        var values = parameters.Length == 0 ? [0] : parameters.Split(';').Select(p => p.Length == 0 ? 0 : int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            switch (values[i])
            {
                case 0:
                    _fg = DefaultForeground;
                    _bg = DefaultBackground;
                    break;
                case 39:
                    _fg = DefaultForeground;
                    break;
                case 49:
                    _bg = DefaultBackground;
                    break;
                case 38 or 48 when i + 4 < values.Length && values[i + 1] == 2:
                    var rgb = (values[i + 2] << 16) | (values[i + 3] << 8) | values[i + 4];
                    (values[i] == 38 ? ref _fg : ref _bg) = rgb;
                    i += 4;
                    break;
                case 38 or 48 when i + 2 < values.Length && values[i + 1] == 5:
                    (values[i] == 38 ? ref _fg : ref _bg) = Xterm(values[i + 2]);
                    i += 2;
                    break;
            }
        }
    }
}
