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
        Assert.Equal(0xFC0000, top.Fg);
        Assert.Equal(0xFC0000, top.Bg);
        var bottom = screen.At(col + 5, row + rows - 1);
        Assert.Equal(0x0000FC, bottom.Fg);
        Assert.Equal(0x0000FC, bottom.Bg);

        // Split the picture at an odd half-row: the boundary cell shows red on top, blue below.
        var boundary = screen.At(col + 5, row + (rows / 2) - 1);
        Assert.Equal(0xFC0000, boundary.Fg);
        var next = screen.At(col + 5, row + (rows / 2));
        Assert.Equal(0x0000FC, next.Bg);
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
