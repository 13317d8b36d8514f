using S2cd.Render;
using S2cd.Video;

namespace S2cd.Tests.Render;

public sealed class PictureRendererTests
{
    [Fact]
    public void Ascii_HorizontalGradient_RendersTheRampInOrder()
    {
        // Dark on the left, bright on the right: on a dark terminal the ink grows from left to right.
        var picture = Gradient(256, 64);
        var screen = new Screen(64, 16);
        new PictureRenderer().Render(picture, screen, 0, 0, 64, 16, new RenderOptions());
        var ramp = RenderOptions.DefaultRamp;
        var row = Enumerable.Range(0, 64).Select(c => ramp.IndexOf(screen.At(c, 8).Ch, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, row);
        for (var i = 1; i < row.Count; i++)
        {
            Assert.True(row[i] <= row[i - 1], $"column {i}: ramp index {row[i]} after {row[i - 1]}");
        }

        // Auto-levels stretch the gradient over the whole ramp.
        Assert.Equal(' ', screen.At(0, 8).Ch);
        Assert.Equal('M', screen.At(63, 8).Ch);
    }

    [Fact]
    public void Ascii_BlackPicture_RendersDarkestCharacterAndInvertReversesIt()
    {
        var black = Solid(64, 48, 0, 0, 0);
        var screen = new Screen(32, 12);
        new PictureRenderer().Render(black, screen, 0, 0, 32, 12, new RenderOptions());
        Assert.All(screen.Cells, c => Assert.Equal(' ', c.Ch));

        new PictureRenderer().Render(black, screen, 0, 0, 32, 12, new RenderOptions { Invert = true });
        Assert.Equal('M', screen.At(16, 6).Ch);
    }

    [Fact]
    public void Ascii_CustomRamp_IsUsed()
    {
        var screen = new Screen(16, 4);
        new PictureRenderer().Render(Gradient(64, 16), screen, 0, 0, 16, 4, new RenderOptions { Ramp = "#-" });
        Assert.Equal('-', screen.At(0, 2).Ch);
        Assert.Equal('#', screen.At(15, 2).Ch);
    }

    [Fact]
    public void Blocks_TopPixelInForegroundBottomInBackground()
    {
        // Top half red, bottom half blue: the middle cell row straddles nothing, every cell is one or the other,
        // and the cell on the boundary has red above and blue below.
        var width = 32;
        var height = 32;
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = ((y * width) + x) * 3;
                if (y < height / 2)
                {
                    rgb[p] = 255;
                }
                else
                {
                    rgb[p + 2] = 255;
                }
            }
        }

        var screen = new Screen(32, 16);
        var (col, row, cols, rows) = new PictureRenderer().Render(new Picture(width, height, rgb, 0, 1), screen, 0, 0, 32, 16, new RenderOptions { Mode = RenderMode.Blocks });
        Assert.Equal((32, 16), (cols, rows));
        var top = screen.At(col + 5, row);
        Assert.Equal('\u2580', top.Ch);
        Assert.Equal(0xFF0000, top.Fg);
        Assert.Equal(0xFF0000, top.Bg);
        var bottom = screen.At(col + 5, row + rows - 1);
        Assert.Equal(0x0000FF, bottom.Fg);
        Assert.Equal(0x0000FF, bottom.Bg);

        // Split the picture at an odd half-row: the boundary cell shows red on top, blue below.
        var boundary = screen.At(col + 5, row + (rows / 2) - 1);
        Assert.Equal(0xFF0000, boundary.Fg);
        var next = screen.At(col + 5, row + (rows / 2));
        Assert.Equal(0x0000FF, next.Bg);
    }

    [Theory]
    [InlineData(96, 32, 32)]
    [InlineData(640, 480, 160)]
    public void Blocks_EachHalfIsTheAverageOfTheAreaItCovers(int width, int height, int cols)
    {
        // One-pixel black and white stripes, three (or four) pixels to a cell column: every cell is a grey between,
        // where picking one sample point per cell would show stripes of black and white. The large picture takes
        // the path that averages a few pixels spread over each cell's span.
        var rgb = new byte[width * height * 3];
        for (var p = 0; p < width * height; p++)
        {
            var v = (byte)((p % width) % 2 == 0 ? 255 : 0);
            rgb[3 * p] = rgb[(3 * p) + 1] = rgb[(3 * p) + 2] = v;
        }

        var screen = new Screen(cols, cols / 6);
        var (col, row, shownCols, rows) = new PictureRenderer().Render(new Picture(width, height, rgb, 0, 1), screen, 0, 0, cols, cols / 6, new RenderOptions { Mode = RenderMode.Blocks });
        for (var c = col; c < col + shownCols; c++)
        {
            for (var r = row; r < row + rows; r++)
            {
                foreach (var colour in new[] { screen.At(c, r).Fg, screen.At(c, r).Bg })
                {
                    Assert.InRange(colour & 0xFF, 60, 200);
                    Assert.Equal(colour & 0xFF, (colour >> 16) & 0xFF);
                }
            }
        }
    }

    [Fact]
    public void Blocks_OfAPhotographLikePicture_AreCloseToItsAreaAverage()
    {
        // A smooth picture with detail at several scales, 160×120 as on the wire, into 100×37 cells: every half
        // cell within a few levels of the exact average of the area it covers (computed here the slow way).
        var picture = Photo(160, 120);
        var screen = new Screen(100, 37);
        var (col, row, cols, rows) = new PictureRenderer().Render(picture, screen, 0, 0, 100, 37, new RenderOptions { Mode = RenderMode.Blocks });
        var worst = 0.0;
        for (var r = 0; r < rows * 2; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                var cell = screen.At(col + c, row + (r / 2));
                var shown = r % 2 == 0 ? cell.Fg : cell.Bg;
                var expected = AreaAverage(picture, c * 160.0 / cols, (c + 1) * 160.0 / cols, r * 120.0 / (rows * 2), (r + 1) * 120.0 / (rows * 2));
                worst = Math.Max(worst, Math.Abs(((shown >> 8) & 0xFF) - expected));
            }
        }

        Assert.True(worst <= 2, $"a half cell is {worst:0.0} levels from the average of its area");
    }

    [Fact]
    public void AsciiColor_CarriesThePictureColour()
    {
        var screen = new Screen(16, 6);
        new PictureRenderer().Render(Solid(32, 24, 0, 200, 0), screen, 0, 0, 16, 6, new RenderOptions { Mode = RenderMode.AsciiColor });
        Assert.Equal(0x00C800, screen.At(8, 3).Fg);
    }

    [Theory]
    [InlineData(160, 120, 200, 60, 160, 60)]
    [InlineData(160, 120, 40, 40, 40, 15)]
    [InlineData(160, 120, 1000, 10, 27, 10)]
    public void Fit_KeepsAspectForTallCells(int w, int h, int areaCols, int areaRows, int cols, int rows) =>
        Assert.Equal((cols, rows), PictureRenderer.Fit(w, h, areaCols, areaRows));

    /// <summary>A picture with smooth shading and detail at several scales, green carrying the pattern.</summary>
    internal static Picture Photo(int width, int height, double shift = 0)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var u = x + shift;
                var v = 128 + (60 * Math.Sin(u / 9.0)) + (40 * Math.Cos(y / 7.0)) + (20 * Math.Sin((u + y) / 2.3));
                var p = ((y * width) + x) * 3;
                rgb[p] = (byte)Math.Clamp(255 - v, 0, 255);
                rgb[p + 1] = (byte)Math.Clamp(v, 0, 255);
                rgb[p + 2] = (byte)Math.Clamp(64 + (u * 128 / width), 0, 255);
            }
        }

        return new Picture(width, height, rgb, 0, 1);
    }

    private static double AreaAverage(Picture picture, double x0, double x1, double y0, double y1)
    {
        double sum = 0, area = 0;
        for (var y = (int)y0; y < Math.Ceiling(y1); y++)
        {
            for (var x = (int)x0; x < Math.Ceiling(x1); x++)
            {
                var w = (Math.Min(x1, x + 1) - Math.Max(x0, x)) * (Math.Min(y1, y + 1) - Math.Max(y0, y));
                sum += picture.Rgb[(((y * picture.Width) + x) * 3) + 1] * w;
                area += w;
            }
        }

        return sum / area;
    }

    internal static Picture Gradient(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = (byte)(x * 255 / (width - 1));
                var p = ((y * width) + x) * 3;
                rgb[p] = rgb[p + 1] = rgb[p + 2] = v;
            }
        }

        return new Picture(width, height, rgb, 0, 1);
    }

    internal static Picture Solid(int width, int height, byte r, byte g, byte b)
    {
        var rgb = new byte[width * height * 3];
        for (var p = 0; p < rgb.Length; p += 3)
        {
            rgb[p] = r;
            rgb[p + 1] = g;
            rgb[p + 2] = b;
        }

        return new Picture(width, height, rgb, 0, 1);
    }
}
