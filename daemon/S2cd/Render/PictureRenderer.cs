using S2cd.Video;

namespace S2cd.Render;

/// <summary>
/// Draws a picture into a rectangle of cells, keeping its aspect for cells about twice as tall as wide.
/// One instance per view: the picture is scaled by area to one pixel per cell (two, one above the other, in
/// blocks mode) with tables and buffers reused from frame to frame, so rendering allocates nothing in steady
/// state.
/// </summary>
internal sealed class PictureRenderer
{
    private const char UpperHalfBlock = '\u2580';
    private readonly Resampler _resampler = new();
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
        switch (options.Mode)
        {
            case RenderMode.Blocks:
                RenderBlocks(_resampler.Scale(picture.Rgb, 3, picture.Width, picture.Height, cols, rows * 2), screen, left, top, cols, rows);
                break;
            case RenderMode.AsciiColor:
                RenderRamp(_resampler.Scale(picture.Rgb, 3, picture.Width, picture.Height, cols, rows), 3, screen, left, top, cols, rows, options);
                break;
            default:
                RenderRamp(_resampler.Scale(picture.Luma, 1, picture.Width, picture.Height, cols, rows), 1, screen, left, top, cols, rows, options);
                break;
        }

        return (left, top, cols, rows);
    }

    /// <summary>The character modes, from luma (<paramref name="channels"/> 1) or from colour (3).</summary>
    private void RenderRamp(ReadOnlySpan<byte> pixels, int channels, Screen screen, int left, int top, int cols, int rows, RenderOptions options)
    {
        var count = cols * rows;
        if (_values.Length < count)
        {
            _values = new byte[count];
        }

        var values = _values.AsSpan(0, count);
        int min = 255, max = 0;
        for (int i = 0, p = 0; i < count; i++, p += channels)
        {
            // ITU-R BT.601 weights in fixed point, as the picture's own luma.
            var v = channels == 1 ? pixels[p] : ((pixels[p] * 77) + (pixels[p + 1] * 150) + (pixels[p + 2] * 29)) >> 8;
            values[i] = (byte)v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        BuildLut(min, max, options);
        var color = channels == 3;
        var cells = screen.Cells;
        for (var r = 0; r < rows; r++)
        {
            var rowStart = ((top + r) * screen.Cols) + left;
            for (var c = 0; c < cols; c++)
            {
                var i = (r * cols) + c;
                ref var cell = ref cells[rowStart + c];
                cell.Ch = _lut[values[i]];
                cell.Picture = true;
                cell.Bg = Cell.Default;
                cell.Fg = color ? Rgb(pixels, i * 3) : Cell.Default;
            }
        }
    }

    private static void RenderBlocks(ReadOnlySpan<byte> rgb, Screen screen, int left, int top, int cols, int rows)
    {
        var cells = screen.Cells;
        for (var r = 0; r < rows; r++)
        {
            var rowStart = ((top + r) * screen.Cols) + left;
            var upper = 2 * r * cols * 3;
            var lower = upper + (cols * 3);
            for (var c = 0; c < cols; c++)
            {
                ref var cell = ref cells[rowStart + c];
                cell.Ch = UpperHalfBlock;
                cell.Picture = true;
                cell.Fg = Rgb(rgb, upper + (c * 3));
                cell.Bg = Rgb(rgb, lower + (c * 3));
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

    private static int Rgb(ReadOnlySpan<byte> rgb, int at) => (rgb[at] << 16) | (rgb[at + 1] << 8) | rgb[at + 2];
}
