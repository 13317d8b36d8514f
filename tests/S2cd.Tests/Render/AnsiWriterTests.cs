using System.Text;
using S2cd.Render;

namespace S2cd.Tests.Render;

public sealed class AnsiWriterTests
{
    [Fact]
    public void Diff_NothingChanged_WritesNothing()
    {
        var a = new Screen(20, 5);
        var b = new Screen(20, 5);
        var output = new StringBuilder();
        Assert.Equal(0, AnsiWriter.Diff(a, b, ColorDepth.TrueColor, output));
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void Diff_OneChangedRun_MovesThereAndWritesOnlyIt()
    {
        var shown = new Screen(20, 5);
        var next = new Screen(20, 5);
        next.Text(4, 2, "abc", 3);
        var output = new StringBuilder();
        Assert.Equal(3, AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output));
        Assert.Equal("\u001b[3;5H\u001b[39;49mabc\u001b[0m", output.ToString());

        // What was written is now what is shown: a second diff is empty.
        output.Clear();
        Assert.Equal(0, AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output));
    }

    [Fact]
    public void Diff_ShortGap_IsRewrittenInsteadOfJumped()
    {
        var shown = new Screen(20, 1);
        var next = new Screen(20, 1);
        next.Text(0, 0, "a", 1);
        next.Text(3, 0, "b", 1);
        var output = new StringBuilder();
        AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output);
        Assert.Equal("\u001b[1;1H\u001b[39;49ma  b\u001b[0m", output.ToString());
    }

    [Fact]
    public void Diff_RunOfOneColour_SharesOneSgr()
    {
        var shown = new Screen(10, 1);
        var next = new Screen(10, 1);
        next.Fill(0, 0, 10, 1, new Cell('\u2580', 0x102030, 0x405060));
        var output = new StringBuilder();
        AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output);
        var text = output.ToString();
        Assert.Equal(1, CountOf(text, "38;2;"));
        Assert.Contains("38;2;16;32;48;48;2;64;80;96m", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, 0, 16)]
    [InlineData(255, 255, 255, 231)]
    [InlineData(255, 0, 0, 196)]
    [InlineData(128, 128, 128, 244)]
    public void Xterm256_MapsToTheNearestPaletteEntry(int r, int g, int b, int expected) =>
        Assert.Equal(expected, AnsiWriter.Xterm256(r, g, b));

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
