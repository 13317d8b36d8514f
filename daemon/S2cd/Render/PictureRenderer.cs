using S2cd.Video;

namespace S2cd.Render;

/// <summary>
/// Draws a picture into a rectangle of cells, keeping its aspect for cells about twice as tall as wide.
/// One instance per view: its sampling tables and scratch buffers are reused from frame to frame, so
/// rendering allocates nothing in steady state. Each cell (or half cell, in blocks mode) averages four
/// samples of its part of the picture.
/// </summary>
internal sealed class PictureRenderer
{
    private const char UpperHalfBlock = '\u2580';
    private int[] _x1 = [];
    private int[] _x2 = [];
    private int[] _y1 = [];
    private int[] _y2 = [];
    private byte[] _values = [];
    private readonly char[] _lut = new char[256];

    /// <summary>The cells a picture of <paramref name="width"/> × <paramref name="height"/> fills inside the area, aspect kept.</summary>
    public static (int Cols, int Rows) Fit(int width, int height, int areaCols, int areaRows)
    {
        if (areaCols <= 0 || areaRows <= 0)
        {
            return (0, 0);
        }

        // A cell is about half as wide as it is tall: one cell row covers two units of picture height.
        var cols = Math.Min(areaCols, (int)Math.Round(areaRows * 2.0 * width / height));
        var rows = Math.Min(areaRows, (int)Math.Round(cols * height / (2.0 * width)));
        return (Math.Max(1, cols), Math.Max(1, rows));
    }

    /// <summary>Renders <paramref name="picture"/> centred in the area; returns the rectangle it covers.</summary>
    public (int Col, int Row, int Cols, int Rows) Render(Picture picture, Screen screen, int col, int row, int areaCols, int areaRows, RenderOptions options)
    {
        var (cols, rows) = Fit(picture.Width, picture.Height, areaCols, areaRows);
        if (cols == 0)
        {
            return default;
        }

        var left = col + ((areaCols - cols) / 2);
        var top = row + ((areaRows - rows) / 2);
        var subRows = options.Mode == RenderMode.Blocks ? rows * 2 : rows;
        BuildTables(picture, cols, subRows);
        switch (options.Mode)
        {
            case RenderMode.Blocks:
                RenderBlocks(picture, screen, left, top, cols, rows);
                break;
            default:
                RenderRamp(picture, screen, left, top, cols, rows, options);
                break;
        }

        return (left, top, cols, rows);
    }

    private void BuildTables(Picture picture, int cols, int rows)
    {
        if (_x1.Length < cols)
        {
            _x1 = new int[cols];
            _x2 = new int[cols];
        }

        if (_y1.Length < rows)
        {
            _y1 = new int[rows];
            _y2 = new int[rows];
        }

        Samples(picture.Width, cols, _x1, _x2, 1);
        Samples(picture.Height, rows, _y1, _y2, picture.Width);
    }

    /// <summary>Two sample positions per output step, a quarter and three quarters into its span.</summary>
    private static void Samples(int source, int count, int[] first, int[] second, int stride)
    {
        for (var i = 0; i < count; i++)
        {
            var a = (long)i * source / count;
            var b = (long)(i + 1) * source / count;
            var span = Math.Max(1, b - a);
            first[i] = (int)Math.Min(source - 1, a + (span / 4)) * stride;
            second[i] = (int)Math.Min(source - 1, a + (3 * span / 4)) * stride;
        }
    }

    private void RenderRamp(Picture picture, Screen screen, int left, int top, int cols, int rows, RenderOptions options)
    {
        var luma = picture.Luma;
        var count = cols * rows;
        if (_values.Length < count)
        {
            _values = new byte[count];
        }

        var values = _values.AsSpan(0, count);
        int min = 255, max = 0;
        for (var r = 0; r < rows; r++)
        {
            int y1 = _y1[r], y2 = _y2[r];
            var line = values.Slice(r * cols, cols);
            for (var c = 0; c < cols; c++)
            {
                int x1 = _x1[c], x2 = _x2[c];
                var v = (luma[y1 + x1] + luma[y1 + x2] + luma[y2 + x1] + luma[y2 + x2] + 2) >> 2;
                line[c] = (byte)v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        BuildLut(min, max, options);
        var color = options.Mode == RenderMode.AsciiColor;
        var rgb = picture.Rgb;
        var cells = screen.Cells;
        for (var r = 0; r < rows; r++)
        {
            var rowStart = ((top + r) * screen.Cols) + left;
            var line = values.Slice(r * cols, cols);
            int y1 = _y1[r] * 3, y2 = _y2[r] * 3;
            for (var c = 0; c < cols; c++)
            {
                ref var cell = ref cells[rowStart + c];
                cell.Ch = _lut[line[c]];
                cell.Bg = Cell.Default;
                cell.Fg = color ? Average(rgb, y1 + (_x1[c] * 3), y1 + (_x2[c] * 3), y2 + (_x1[c] * 3), y2 + (_x2[c] * 3)) : Cell.Default;
            }
        }
    }

    private void RenderBlocks(Picture picture, Screen screen, int left, int top, int cols, int rows)
    {
        var rgb = picture.Rgb;
        var cells = screen.Cells;
        for (var r = 0; r < rows; r++)
        {
            var rowStart = ((top + r) * screen.Cols) + left;
            int t1 = _y1[2 * r] * 3, t2 = _y2[2 * r] * 3, b1 = _y1[(2 * r) + 1] * 3, b2 = _y2[(2 * r) + 1] * 3;
            for (var c = 0; c < cols; c++)
            {
                int x1 = _x1[c] * 3, x2 = _x2[c] * 3;
                ref var cell = ref cells[rowStart + c];
                cell.Ch = UpperHalfBlock;
                cell.Fg = Average(rgb, t1 + x1, t1 + x2, t2 + x1, t2 + x2);
                cell.Bg = Average(rgb, b1 + x1, b1 + x2, b2 + x1, b2 + x2);
            }
        }
    }

    /// <summary>
    /// Maps grey levels to ramp characters, stretched between the frame's darkest and brightest cell
    /// (auto-levels), as s2c did. A nearly flat picture is not stretched, so black stays black.
    /// </summary>
    private void BuildLut(int min, int max, RenderOptions options)
    {
        if (max - min < 32)
        {
            min = 0;
            max = 255;
        }

        var ramp = options.Ramp;
        var last = ramp.Length - 1;
        var range = max - min;
        for (var v = 0; v < 256; v++)
        {
            var level = Math.Clamp(v - min, 0, range);

            // Index 0 has the most ink: on a dark terminal the brightest pixels get it.
            var index = options.Invert ? (level * last) / range : last - ((level * last) / range);
            _lut[v] = ramp[index];
        }
    }

    /// <summary>The average of four RGB pixels as 0xRRGGBB, each channel cut to 6 bits so that neighbours share colours.</summary>
    private static int Average(byte[] rgb, int a, int b, int c, int d)
    {
        var red = (rgb[a] + rgb[b] + rgb[c] + rgb[d] + 2) >> 2;
        var green = (rgb[a + 1] + rgb[b + 1] + rgb[c + 1] + rgb[d + 1] + 2) >> 2;
        var blue = (rgb[a + 2] + rgb[b + 2] + rgb[c + 2] + rgb[d + 2] + 2) >> 2;
        return ((red & 0xFC) << 16) | ((green & 0xFC) << 8) | (blue & 0xFC);
    }
}
