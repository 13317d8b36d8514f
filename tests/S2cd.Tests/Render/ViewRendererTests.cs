using S2cd.Render;
using S2cd.Video;

namespace S2cd.Tests.Render;

public sealed class ViewRendererTests
{
    private static readonly Tile[] Tiles = [new("alice", IsSelf: false, Muted: false, CameraOn: false, Speaking: false, Picture: null, Fps: 0)];

    [Fact]
    public void ANewSize_RedrawsEverything_TheSameSizeAgain_Nothing()
    {
        var renderer = new ViewRenderer(80, 24, new RenderOptions());
        Assert.Contains("\u001b[2J", renderer.Render(Tiles, " call"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, renderer.Render(Tiles, " call"));

        // A SIGWINCH that changed nothing: the view stays as it is, nothing is written.
        renderer.Resize(80, 24);
        Assert.Equal(string.Empty, renderer.Render(Tiles, " call"));

        renderer.Resize(100, 30);
        var redraw = renderer.Render(Tiles, " call");
        Assert.Contains("\u001b[2J", redraw, StringComparison.Ordinal);
        Assert.Contains("alice", redraw, StringComparison.Ordinal);
    }

    [Fact]
    public void AStillPictureWithCameraNoise_CostsOnlyTheStatusLine()
    {
        var renderer = new ViewRenderer(100, 40, new RenderOptions { Mode = RenderMode.Blocks });
        Assert.True(renderer.Render([Remote(PictureRendererTests.Photo(160, 120))], " call").Length > 20_000);
        var random = new Random(3);
        for (var i = 0; i < 10; i++)
        {
            var frame = Remote(Noisy(PictureRendererTests.Photo(160, 120), random, 3));
            Assert.Equal(string.Empty, renderer.Render([frame], " call"));
        }

        // A real change is drawn.
        Assert.True(renderer.Render([Remote(PictureRendererTests.Photo(160, 120, shift: 20))], " call").Length > 5_000);
    }

    [Fact]
    public void OverBudget_AFrameIsCutToFit_AndAStillPictureIsRefinedOverTheNextFrames()
    {
        var free = new ViewRenderer(100, 40, new RenderOptions { Mode = RenderMode.Blocks });
        var tight = new ViewRenderer(100, 40, new RenderOptions { Mode = RenderMode.Blocks }) { ByteBudget = 12_000 };
        var still = Remote(PictureRendererTests.Photo(160, 120));
        free.Render([still], " call");
        tight.Render([still], " call");

        // The picture moves: unlimited, nearly every cell is written; within the budget, the frame fits.
        var moved = Remote(PictureRendererTests.Photo(160, 120, shift: 9));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(free.Render([moved], " call")) > 12_000);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(tight.Render([moved], " call")) <= 12_000);
        Assert.True(tight.LastLevel > 0);
        Assert.True(Distance(free.Shown, tight.Shown) > 0);

        // It stops moving: frame by frame, each within the budget, the view comes to what an unlimited one shows.
        for (var i = 0; i < 40 && tight.LastLevel > 0; i++)
        {
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(tight.Render([moved], " call")) <= 12_000);
        }

        tight.Render([moved], " call");

        Assert.Equal(0, tight.LastLevel);
        Assert.True(Distance(free.Shown, tight.Shown) < 2.0, $"mean distance {Distance(free.Shown, tight.Shown):0.00}");
    }

    private static Tile Remote(Picture picture) => new("alice", IsSelf: false, Muted: false, CameraOn: true, Speaking: false, Picture: picture, Fps: 15);

    private static Picture Noisy(Picture picture, Random random, int amplitude)
    {
        var rgb = (byte[])picture.Rgb.Clone();
        for (var i = 0; i < rgb.Length; i++)
        {
            rgb[i] = (byte)Math.Clamp(rgb[i] + random.Next(-amplitude, amplitude + 1), 0, 255);
        }

        return new Picture(picture.Width, picture.Height, rgb, 0, 1);
    }

    /// <summary>The mean difference per channel between the green of two screens' picture halves.</summary>
    private static double Distance(Screen a, Screen b)
    {
        double sum = 0;
        var count = 0;
        for (var i = 0; i < a.Cells.Length; i++)
        {
            if (a.Cells[i].Picture && b.Cells[i].Picture)
            {
                var (at, ab) = AnsiWriterTests.Halves(a.Cells[i]);
                var (bt, bb) = AnsiWriterTests.Halves(b.Cells[i]);
                sum += Math.Abs(((at >> 8) & 0xFF) - ((bt >> 8) & 0xFF)) + Math.Abs(((ab >> 8) & 0xFF) - ((bb >> 8) & 0xFF));
                count += 2;
            }
        }

        return sum / count;
    }
}
