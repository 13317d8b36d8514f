using System.Text;
using S2cd.Render;
using S2cd.Tests.Support;

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

    [Fact]
    public void PictureCell_WithinKeep_IsLeftAsShown_BeyondIt_IsWritten()
    {
        var shown = new Screen(4, 1);
        var first = new Screen(4, 1);
        first.At(1, 0) = PictureCell(0x405060, 0x102030);
        AnsiWriter.Diff(shown, first, ColorDepth.TrueColor, new StringBuilder());

        var noisy = new Screen(4, 1);
        noisy.At(1, 0) = PictureCell(0x455565, 0x0D1A2C);
        var output = new StringBuilder();
        Assert.Equal(0, AnsiWriter.Diff(shown, noisy, ColorDepth.TrueColor, output, new Tolerance(8, 0)));
        Assert.Equal(0x405060, shown.At(1, 0).Fg);

        var moved = new Screen(4, 1);
        moved.At(1, 0) = PictureCell(0x406A60, 0x102030);
        Assert.Equal(1, AnsiWriter.Diff(shown, moved, ColorDepth.TrueColor, output, new Tolerance(8, 0)));
        Assert.Equal(0x406A60, shown.At(1, 0).Fg);
    }

    [Fact]
    public void LabelCells_AreAlwaysExact()
    {
        var shown = new Screen(4, 1);
        var first = new Screen(4, 1);
        first.At(0, 0) = new Cell('a', 0x405060, 0x102030);
        AnsiWriter.Diff(shown, first, ColorDepth.TrueColor, new StringBuilder());
        var next = new Screen(4, 1);
        next.At(0, 0) = new Cell('a', 0x405061, 0x102030);
        var output = new StringBuilder();
        Assert.Equal(1, AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output, new Tolerance(64, 64)));
        Assert.Contains("38;2;64;80;97", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NeighboursWithinShare_ShareOneColourSequence_ExactGetOneEach()
    {
        var next = new Screen(12, 1);
        for (var c = 0; c < 12; c++)
        {
            next.At(c, 0) = PictureCell(0x406080 + ((c % 3) * 0x050505), 0x204060 - ((c % 2) * 0x070707));
        }

        var shared = new StringBuilder();
        AnsiWriter.Diff(new Screen(12, 1), Copy(next), ColorDepth.TrueColor, shared, new Tolerance(8, 8));
        Assert.Equal(1, CountOf(shared.ToString(), "38;2;"));
        Assert.Equal(1, CountOf(shared.ToString(), "48;2;"));

        var exact = new StringBuilder();
        AnsiWriter.Diff(new Screen(12, 1), Copy(next), ColorDepth.TrueColor, exact);
        Assert.True(CountOf(exact.ToString(), "38;2;") >= 6, exact.ToString());
    }

    [Fact]
    public void AHalfBlockCell_IsTurnedOverOrMadeASpace_WhenThatSavesASequence()
    {
        var next = new Screen(3, 1);
        next.At(0, 0) = PictureCell(0xA00000, 0x0000A0);
        next.At(1, 0) = PictureCell(0x0000A0, 0xA00000);
        next.At(2, 0) = PictureCell(0xA00000, 0xA00000);
        var output = new StringBuilder();
        AnsiWriter.Diff(new Screen(3, 1), next, ColorDepth.TrueColor, output);

        // The second cell is the first upside down: ▄ in the colours already set. The third is one colour, the
        // foreground's: a full block, no sequence.
        Assert.Equal("\u001b[1;1H\u001b[38;2;160;0;0;48;2;0;0;160m\u2580\u2584\u2588\u001b[0m", output.ToString());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(8, 16)]
    [InlineData(36, 48)]
    public void WhatTheWriterLeavesAsShown_IsWhatTheTerminalShows(int keep, int share)
    {
        // Frames of a moving picture written one after another: after each, what a terminal makes of all the
        // output so far is, cell for cell, what the writer recorded as shown. Everything else rests on that.
        const int cols = 60;
        const int rows = 20;
        var shown = new Screen(cols, rows);
        var basis = new Screen(cols, rows);
        var terminal = new TerminalPicture(cols, rows);
        var renderer = new PictureRenderer();
        foreach (var colors in new[] { ColorDepth.TrueColor, ColorDepth.Ansi256 })
        {
            for (var frame = 0; frame < 6; frame++)
            {
                var next = new Screen(cols, rows);
                next.Text(0, 0, $"frame {frame}", cols, 0xFFFFFF, 0x303030);
                renderer.Render(PictureRendererTests.Photo(160, 120, shift: frame * 3), next, 0, 1, cols, rows - 1, new RenderOptions { Mode = RenderMode.Blocks, Colors = colors });
                var asked = Copy(next);
                var output = new StringBuilder();
                AnsiWriter.Write(shown, next, colors, output, new Tolerance(keep, share), basis);
                terminal.Feed(output.ToString());
                for (var i = 0; i < next.Cells.Length; i++)
                {
                    if (next.Cells[i] != shown.Cells[i])
                    {
                        basis.Cells[i] = asked.Cells[i];
                    }
                }

                next.Cells.AsSpan().CopyTo(shown.Cells);
                for (var r = 1; r < rows; r++)
                {
                    for (var c = 0; c < cols; c++)
                    {
                        var cell = shown.At(c, r);
                        if (cell.Picture)
                        {
                            Assert.Equal(Halves(cell), terminal.At(c, r));
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 0, 0, 16)]
    [InlineData(255, 255, 255, 231)]
    [InlineData(255, 0, 0, 196)]
    [InlineData(128, 128, 128, 244)]
    public void Xterm256_MapsToTheNearestPaletteEntry(int r, int g, int b, int expected) =>
        Assert.Equal(expected, AnsiWriter.Xterm256(r, g, b));

    private static Cell PictureCell(int top, int bottom) => new('\u2580', top, bottom) { Picture = true };

    private static Screen Copy(Screen screen)
    {
        var copy = new Screen(screen.Cols, screen.Rows);
        screen.Cells.AsSpan().CopyTo(copy.Cells);
        return copy;
    }

    /// <summary>The colours a half-block cell shows in its top and bottom half, as a terminal draws it.</summary>
    internal static (int Top, int Bottom) Halves(Cell cell) => cell.Ch switch
    {
        '\u2584' => (cell.Bg, cell.Fg),
        '\u2588' => (cell.Fg, cell.Fg),
        ' ' => (cell.Bg, cell.Bg),
        _ => (cell.Fg, cell.Bg),
    };

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
