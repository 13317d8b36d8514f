using S2cd.Contract;

namespace S2cd.Tests.Share;

/// <summary>A shared screen on the wire: full states, diffs on their base only, and every bound of what is read.</summary>
public sealed class ScreenUpdateTests
{
    private static ScreenGrid Screen(int cols, int rows, uint sequence, params (int Col, int Row, string Text)[] texts)
    {
        var grid = new ScreenGrid(cols, rows) { Sequence = sequence };
        foreach (var (col, row, text) in texts)
        {
            var x = col;
            foreach (var (cluster, width) in TextCells.Clusters(text))
            {
                grid.At(x, row) = new ScreenCell(cluster, (byte)width, 0xFF0000, ScreenCell.DefaultColor, CellStyle.Bold);
                if (width == 2)
                {
                    grid.At(x + 1, row) = new ScreenCell(string.Empty, 0, 0xFF0000, ScreenCell.DefaultColor, CellStyle.Bold);
                }

                x += width;
            }
        }

        return grid;
    }

    [Fact]
    public void AFullState_ThenADiff_RebuildTheScreenCellForCell()
    {
        var first = Screen(200, 60, 1, (0, 0, "$ vim notes.txt"), (10, 59, "会議 🎉 e\u0301"));
        var second = Screen(200, 60, 2, (0, 0, "$ vim notes.txt"), (10, 59, "会議 🎉 e\u0301"), (5, 30, "a changed line"));
        ScreenGrid? received = null;
        var full = ScreenUpdate.Encode(null, first, full: false);
        Assert.Equal(ScreenUpdate.Result.Applied, ScreenUpdate.Apply(full, ref received));
        Assert.Equal(first.Cells, received!.Cells);

        var diff = ScreenUpdate.Encode(first, second, full: false);
        Assert.True(diff.Length < full.Length, $"a diff of one line is {diff.Length} bytes, the full state {full.Length}");
        Assert.Equal(ScreenUpdate.Result.Applied, ScreenUpdate.Apply(diff, ref received));
        Assert.Equal(second.Cells, received!.Cells);
        Assert.Equal(2u, received.Sequence);
        Assert.Equal("     a changed line", received.Lines()[30]);
        Assert.Equal("          会議 🎉 e\u0301", received.Lines()[59]);
    }

    [Fact]
    public void ADiff_OnAStateTheReceiverDoesNotHave_ChangesNothing_AndAsksForAFullState()
    {
        var one = Screen(80, 24, 1, (0, 0, "one"));
        var two = Screen(80, 24, 2, (0, 0, "two"));
        var three = Screen(80, 24, 3, (0, 0, "three"));
        ScreenGrid? none = null;
        Assert.Equal(ScreenUpdate.Result.NeedsFull, ScreenUpdate.Apply(ScreenUpdate.Encode(one, two, false), ref none));
        Assert.Null(none);

        ScreenGrid? atOne = null;
        ScreenUpdate.Apply(ScreenUpdate.Encode(null, one, true), ref atOne);
        Assert.Equal(ScreenUpdate.Result.NeedsFull, ScreenUpdate.Apply(ScreenUpdate.Encode(two, three, false), ref atOne));
        Assert.Equal("one", atOne!.Lines()[0]);
        Assert.Equal(ScreenUpdate.Result.Ended, ScreenUpdate.Apply(ScreenUpdate.Ended(1), ref atOne));
    }

    [Fact]
    public void WhatIsNotAnUpdate_IsRefused_AndChangesNothing()
    {
        var good = ScreenUpdate.Encode(null, Screen(10, 2, 1, (0, 0, "ok")), true);
        ScreenGrid? grid = null;
        byte[][] bad =
        [
            [],
            good[..(ScreenUpdate.HeaderBytes - 1)],
            [2, .. good[1..]],                                                                              // unknown version
            [1, 1, 0x01, 0x2D, .. good[4..]],                                                               // 301 columns
            [1, 1, 0, 10, 0, 0, .. good[6..]],                                                              // no rows
            [.. good[..ScreenUpdate.HeaderBytes], 0xFF, 0xFF, 0xFF],                                        // not deflate
            good[..(ScreenUpdate.HeaderBytes + ((good.Length - ScreenUpdate.HeaderBytes) / 2))],            // cut short
            new byte[ScreenUpdate.MaxBytes + 1],
        ];
        for (var i = 0; i < bad.Length; i++)
        {
            Assert.True(ScreenUpdate.Apply(bad[i], ref grid) == ScreenUpdate.Result.Malformed, $"bad update {i} was taken");
            Assert.Null(grid);
        }

        Assert.Equal(ScreenUpdate.Result.Applied, ScreenUpdate.Apply(good, ref grid));
        Assert.Equal("ok", grid!.Lines()[0]);
    }

    [Fact]
    public void TheText_AndTheAnsi_HoldNoSequenceButColours()
    {
        var grid = Screen(20, 1, 1, (0, 0, "a\u001b]52;c;x\u0007b"));
        Assert.Equal("a?]52;c;x?b", grid.Lines()[0]);
        var ansi = grid.Ansi();
        Assert.DoesNotContain("\u001b]", ansi, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0007", ansi, StringComparison.Ordinal);
        Assert.StartsWith("\u001b[0;1;38;2;255;0;0ma?]52", ansi, StringComparison.Ordinal);
    }
}
