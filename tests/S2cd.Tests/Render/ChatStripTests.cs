using S2cd.Contract;
using S2cd.Render;

namespace S2cd.Tests.Render;

/// <summary>The chat strip of the call view: what it shows of messages, and that nothing in one is written raw.</summary>
public sealed class ChatStripTests
{
    private static ChatMessage Message(string text, string from = "alice", long id = 1) =>
        new() { Id = id, From = from, Fingerprint = $"SHA256:{from}", Time = new DateTimeOffset(2026, 12, 5, 12, 4, 0, TimeSpan.Zero), Text = text };

    private static string Row(ChatStrip.Run[] row) => string.Concat(row.Select(r => r.Text));

    [Fact]
    public void AMessage_ShowsItsTimeSenderAndText_InTheSendersColour()
    {
        var rows = ChatStrip.Lay([Message("hello https://example.org/a?b=1")], 80, 5, null, null, TimeZoneInfo.Utc);
        Assert.Equal("12:04 alice: hello https://example.org/a?b=1", Assert.Single(rows).Select(r => r.Text).Aggregate(string.Concat));
        Assert.Equal(ChatStrip.ColorOf(Message("x")), rows[0][1].Fg);
        Assert.NotEqual(ChatStrip.ColorOf(Message("x")), ChatStrip.ColorOf(Message("x", "bob")));
    }

    [Fact]
    public void EscapesAndControls_AreShownAsTheirPictures_NeverRaw()
    {
        var text = "\u001b[31mred\u001b]52;c;aGk=\u0007 tab\there\r\nnext line\u007f";
        var rows = ChatStrip.Lay([Message(text)], 80, 5, null, null, TimeZoneInfo.Utc).Select(Row).ToList();
        Assert.Equal(["12:04 alice: \u241b[31mred\u241b]52;c;aGk=\u2407 tab  here", "  next line\u2421"], rows);
        var screen = new Screen(80, 3);
        ChatStrip.Draw(screen, 0, ChatStrip.Lay([Message(text)], 80, 5, null, null, TimeZoneInfo.Utc));
        Assert.DoesNotContain(screen.Cells, c => c.Ch < ' ' || c.Ch == '\u007f' || (c.Cluster?.Any(char.IsControl) ?? false));
    }

    [Fact]
    public void LongLines_WrapOnClusters_WideOnesWhole_AndTheNewestEndIsKept()
    {
        var wide = string.Concat(Enumerable.Repeat("会議🎉e\u0301", 10));
        var rows = ChatStrip.Lay([Message("older", id: 1), Message(wide, id: 2)], 20, 3, null, null, TimeZoneInfo.Utc);
        Assert.Equal(3, rows.Count);
        foreach (var row in rows)
        {
            Assert.InRange(TextCells.Width(Row(row)), 1, 20);
        }

        Assert.EndsWith("🎉e\u0301", Row(rows[^1]), StringComparison.Ordinal);
        Assert.DoesNotContain(rows, r => Row(r).Contains("older", StringComparison.Ordinal));
        Assert.All(rows.Skip(1), r => Assert.StartsWith("  ", Row(r), StringComparison.Ordinal));
    }

    [Fact]
    public void TheInputLine_ShowsTheEndOfTheDraft_AndANotice()
    {
        var rows = ChatStrip.Lay([], 30, 0, "a draft that is too long for the line 末尾", "too many", TimeZoneInfo.Utc);
        var line = Row(Assert.Single(rows));
        Assert.StartsWith(" too many say› ", line, StringComparison.Ordinal);
        Assert.EndsWith("line 末尾 ", line, StringComparison.Ordinal);
        Assert.InRange(TextCells.Width(line), 1, 30);
    }

    [Fact]
    public void TheView_LeavesRowsForTheStrip_AboveTheStatusLine()
    {
        var renderer = new ViewRenderer(40, 10, new RenderOptions { Mode = RenderMode.Ascii });
        renderer.Render([], "status", strip: ChatStrip.Lay([Message("hi")], 40, 3, string.Empty, null, TimeZoneInfo.Utc));
        string RowOf(int y) => string.Concat(Enumerable.Range(0, 40).Select(x => renderer.Shown.At(x, y).Cluster ?? renderer.Shown.At(x, y).Ch.ToString()));
        Assert.StartsWith("12:04 alice: hi", RowOf(7), StringComparison.Ordinal);
        Assert.StartsWith(" say› ", RowOf(8), StringComparison.Ordinal);
        Assert.StartsWith("status", RowOf(9), StringComparison.Ordinal);
    }
}
