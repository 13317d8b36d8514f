using S2cd.Render;

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
}
