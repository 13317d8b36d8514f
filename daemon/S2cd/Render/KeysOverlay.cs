namespace S2cd.Render;

/// <summary>Every key of the call view, in a box over the middle of the picture (the view's <c>?</c>).</summary>
internal static class KeysOverlay
{
    public static readonly string[] Lines =
    [
        "Keys of the call view",
        string.Empty,
        "m      mute or unmute your microphone",
        "v      turn your camera off or on",
        "t      write a chat message (Enter sends, Esc cancels)",
        "c      show or hide the chat",
        "s      a shared screen at full size, or back to tiles",
        "-  +   frame rate: as pictures come, 30 20 15 10 5",
        "?      show or hide these keys",
        "l      leave the session",
        "q      detach (the call goes on)",
    ];

    private const int Fg = 0x000000;
    private const int Bg = 0xF0F0D0;

    /// <summary>Draws the box centred over all but the status line, cut to fit a small terminal.</summary>
    public static void Draw(Screen screen)
    {
        var area = screen.Rows - 1;
        var width = Math.Min(screen.Cols, Lines.Max(l => l.Length) + 4);
        var height = Math.Min(area, Lines.Length + 2);
        var col = (screen.Cols - width) / 2;
        var row = (area - height) / 2;
        screen.Fill(col, row, width, height, new Cell(' ', Fg, Bg));
        for (var i = 0; i < Lines.Length && i + 1 < height; i++)
        {
            screen.Text(col + 2, row + 1 + i, Lines[i], Math.Max(1, width - 4), Fg, Bg);
        }
    }
}
