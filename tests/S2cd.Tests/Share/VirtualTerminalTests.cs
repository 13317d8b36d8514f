using System.Text;
using S2cd.Contract;
using S2cAttach.Share;

namespace S2cd.Tests.Share;

/// <summary>The sharer's terminal emulator: real libvterm, fed what full-screen programs write.</summary>
public sealed class VirtualTerminalTests
{
    private static void Feed(VirtualTerminal terminal, string output) => terminal.Write(Encoding.UTF8.GetBytes(output));

    [Fact]
    public void ColoursWideCharactersAndTheAlternateScreen_AreKeptAsATerminalShowsThem()
    {
        Assert.Null(VirtualTerminal.Missing());
        using var terminal = new VirtualTerminal(40, 10);
        Feed(terminal, "$ ls\r\nnotes.txt\r\n");

        // What vim and htop do: the alternate screen, the cursor moved about, colours (16, 256 and 24-bit), CJK.
        Feed(terminal, "\u001b[?1049h\u001b[H\u001b[2J\u001b[1;31mERROR\u001b[0m \u001b[38;5;33mblue\u001b[0m \u001b[48;2;10;20;30m会議\u001b[0m\u001b[5;3H~ line five\u001b[7mrev\u001b[0m");
        var alt = terminal.Snapshot(1);
        Assert.Equal("ERROR blue 会議", alt.Lines()[0]);
        Assert.Equal("  ~ line fiverev", alt.Lines()[4]);
        Assert.Equal(new ScreenCell("E", 1, 0xE00000, ScreenCell.DefaultColor, CellStyle.Bold), alt.At(0, 0) with { Fg = alt.At(0, 0).Fg & 0xF00000 });
        Assert.NotEqual(ScreenCell.DefaultColor, alt.At(6, 0).Fg);
        Assert.Equal((2, 0x0A141E), (alt.At(11, 0).Width, alt.At(11, 0).Bg));
        Assert.Equal((0, string.Empty), (alt.At(12, 0).Width, alt.At(12, 0).Text));
        Assert.True(alt.At(13, 4).Style.HasFlag(CellStyle.Reverse));

        // Leaving the alternate screen brings the shell's screen back.
        Feed(terminal, "\u001b[?1049l");
        var back = terminal.Snapshot(2);
        Assert.Equal(["$ ls", "notes.txt"], back.Lines()[..2]);
    }

    [Fact]
    public void SequencesThatAreNotDrawing_LeaveNoCells()
    {
        using var terminal = new VirtualTerminal(60, 3);
        Feed(terminal, "a\u001b]52;c;c2VjcmV0\u0007b\u001b]0;a title\u0007c\u001b[6nd\u001b[cE\u001bPqignored\u001b\\f");
        var screen = terminal.Snapshot(1);
        Assert.Equal("abcdEf", screen.Lines()[0]);
        Assert.DoesNotContain(screen.Cells, c => c.Text.Any(char.IsControl));
    }

    [Fact]
    public void AResize_IsKeptWithinWhatMayBeShared()
    {
        using var terminal = new VirtualTerminal(500, 200);
        Assert.Equal((ScreenGrid.MaxCols, ScreenGrid.MaxRows), (terminal.Cols, terminal.Rows));
        terminal.Resize(100, 30);
        Assert.Equal((100, 30), (terminal.Snapshot(1).Cols, terminal.Snapshot(1).Rows));
    }
}
