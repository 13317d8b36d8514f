using System.Text;
using S2cd.Contract;
using S2cd.Render;

namespace S2cd.Tests.Render;

/// <summary>Names in every script on the screen grid and in the ANSI written for it: wide, combining, emoji, unsafe.</summary>
public sealed class WideTextTests
{
    private const string Chinese = "李雷和韩梅梅";
    private const string CombiningZoe = "Zoe\u0308 M\u00fcller";
    private const string Party = "\U0001F389";

    [Fact]
    public void AWideName_TakesTwoCellsACharacter_TheSecondMarkedAsItsContinuation()
    {
        var screen = new Screen(20, 1);
        Assert.Equal(12, screen.Text(0, 0, Chinese, 20));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(Chinese[i], screen.At(2 * i, 0).Ch);
            Assert.False(screen.At(2 * i, 0).Continuation);
            Assert.True(screen.At((2 * i) + 1, 0).Continuation);
        }

        Assert.Equal(Cell.Blank, screen.At(12, 0));
    }

    [Fact]
    public void ACombiningMark_StaysWithItsBase_AndAnEmojiTakesTwoCells()
    {
        var screen = new Screen(20, 1);
        Assert.Equal(10, screen.Text(0, 0, CombiningZoe, 20));
        Assert.Equal("e\u0308", screen.At(2, 0).Cluster);
        Assert.Equal(' ', screen.At(3, 0).Ch);
        Assert.Equal('M', screen.At(4, 0).Ch);

        Assert.Equal(2, screen.Text(0, 0, Party, 20));
        Assert.Equal(Party, screen.At(0, 0).Cluster);
        Assert.True(screen.At(1, 0).Continuation);
    }

    [Theory]
    [InlineData("a\u202Eb")]   // right-to-left override
    [InlineData("a\u2066b")]   // left-to-right isolate
    [InlineData("a\u0007b")]   // bell
    [InlineData("a\u001bb")]   // escape
    [InlineData("a\u200Bb")]   // zero-width space
    public void WhatWouldChangeTheTerminal_IsNeverWrittenRaw(string text)
    {
        var screen = new Screen(10, 1);
        Assert.Equal(3, screen.Text(0, 0, text, 10));
        Assert.Equal("a?b", $"{screen.At(0, 0).Ch}{screen.At(1, 0).Ch}{screen.At(2, 0).Ch}");
        Assert.Null(screen.At(1, 0).Cluster);
    }

    [Fact]
    public void ANameTooLong_IsCutAtAClusterBoundary_WithAnEllipsis()
    {
        Assert.Equal("李雷和…", TextCells.Fit(Chinese, 7));
        Assert.Equal("李雷…", TextCells.Fit(Chinese, 6));
        Assert.Equal("Zoe\u0308…", TextCells.Fit(CombiningZoe, 4));
        Assert.Equal(Chinese, TextCells.Fit(Chinese, 12));

        var screen = new Screen(20, 1);
        Assert.Equal(7, screen.Text(0, 0, Chinese, 7, ellipsis: true));
        Assert.Equal('…', screen.At(6, 0).Ch);

        // Without the ellipsis a wide character that does not fit is left out whole, never halved.
        screen = new Screen(20, 1);
        Assert.Equal(4, screen.Text(0, 0, "韩梅梅", 5));
        Assert.Equal(' ', screen.At(4, 0).Ch);
        Assert.False(screen.At(4, 0).Continuation);
    }

    [Fact]
    public void OverwritingHalfAWideCharacter_BlanksItsOtherHalf()
    {
        var screen = new Screen(10, 1);
        screen.Text(0, 0, "李雷", 10);
        screen.Text(1, 0, "x", 1);
        Assert.Equal(' ', screen.At(0, 0).Ch);
        Assert.Equal('x', screen.At(1, 0).Ch);
        Assert.True(screen.At(3, 0).Continuation);
        screen.Text(2, 0, "y", 1);
        Assert.Equal('y', screen.At(2, 0).Ch);
        Assert.False(screen.At(3, 0).Continuation);
    }

    [Fact]
    public void TheAnsiForWideText_WritesEachClusterOnce_AndMovesTheCursorByDisplayColumns()
    {
        var shown = new Screen(20, 1);
        var next = new Screen(20, 1);
        next.Text(0, 0, "李雷x", 20);
        var output = new StringBuilder();
        Assert.Equal(5, AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output));
        Assert.Equal("\u001b[1;1H\u001b[39;49m李雷x\u001b[0m", output.ToString());

        // Only the x changes: the cursor goes to display column 5 (1-based), past the two wide characters.
        next.Text(4, 0, "y", 1);
        output.Clear();
        AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output);
        Assert.Equal("\u001b[1;5H\u001b[39;49my\u001b[0m", output.ToString());

        // The second character changes: it is written whole, from its first cell.
        next.Text(2, 0, "梅", 2);
        output.Clear();
        AnsiWriter.Diff(shown, next, ColorDepth.TrueColor, output);
        Assert.Equal("\u001b[1;3H\u001b[39;49m梅\u001b[0m", output.ToString());
    }

    [Fact]
    public void TableColumns_PadByDisplayWidth()
    {
        Assert.Equal(12, TextCells.Width(Chinese));
        Assert.Equal(10, TextCells.Width(CombiningZoe));
        Assert.Equal(TextCells.Width("Ana " + Party), TextCells.Width(TextCells.Pad("Ana " + Party, 6)));
        Assert.Equal(14, TextCells.Width(TextCells.Pad(Chinese, 14)));
        Assert.Equal(14, TextCells.Width(TextCells.Pad("김민준", 14)));
    }
}
