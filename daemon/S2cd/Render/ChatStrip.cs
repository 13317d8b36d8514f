using System.Globalization;
using System.Text;
using S2cd.Contract;

namespace S2cd.Render;

/// <summary>
/// The call view's chat strip, above the status line: the newest messages that fit in a few rows, each as its time,
/// its sender's name in the sender's colour and its text, wrapped at the view's width (long lines and line breaks go
/// on indented rows; links and commands are shown as typed, never shortened), then the input line while one is open.
/// Text is written cluster by cluster (<see cref="TextCells"/>): wide and combining characters as in names, control
/// characters as their pictures (<see cref="TextCells.Visible"/>), so nothing in a message reaches the terminal raw.
/// </summary>
internal static class ChatStrip
{
    private const int TimeFg = 0x909090;
    private const int TextFg = Cell.Default;
    private const int SelfFg = 0x80C0FF;
    private const int InputFg = 0x000000;
    private const int InputBg = 0xE0E0E0;
    private const int NoticeFg = 0xB00000;
    private const string Prompt = " say› ";
    private const string Indent = "  ";

    // Bright enough on a dark terminal, told apart from each other and from the status line's grey.
    private static readonly int[] Palette = [0xFF8080, 0x80FF80, 0xFFD060, 0xD090FF, 0x60E0E0, 0xFFA040, 0xA0B0FF, 0xFF80C0];

    /// <summary>One run of text in one colour.</summary>
    public readonly record struct Run(string Text, int Fg, int Bg = Cell.Default);

    /// <summary>The most rows the messages take in a view of <paramref name="screenRows"/> rows: a quarter of it, 1 to 6.</summary>
    public static int MaxRows(int screenRows) => Math.Clamp((screenRows - 1) / 4, 1, 6);

    /// <summary>A member's colour, the same in every view: chosen by its fingerprint (its name with end-to-end off).</summary>
    public static int ColorOf(ChatMessage message)
    {
        if (message.IsSelf)
        {
            return SelfFg;
        }

        var key = message.Fingerprint ?? message.From;
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return Palette[hash % (uint)Palette.Length];
    }

    /// <summary>
    /// The strip's rows for <paramref name="messages"/> (oldest first) at <paramref name="cols"/> columns: the last
    /// <paramref name="maxRows"/> rows of them (the newest message's end is always shown), then the input line when
    /// <paramref name="draft"/> is not null (with <paramref name="notice"/> before it, when there is one).
    /// </summary>
    public static List<Run[]> Lay(IReadOnlyList<ChatMessage> messages, int cols, int maxRows, string? draft, string? notice, TimeZoneInfo zone)
    {
        var rows = new List<Run[]>();
        for (var i = messages.Count - 1; i >= 0 && rows.Count < maxRows; i--)
        {
            var lines = Wrap(messages[i], cols, zone);
            rows.InsertRange(0, lines.Skip(Math.Max(0, lines.Count - (maxRows - rows.Count))));
        }

        if (draft is not null)
        {
            rows.Add(InputLine(draft, notice, cols));
        }

        return rows;
    }

    /// <summary>Draws <paramref name="rows"/> from row <paramref name="top"/> down, each across the whole width.</summary>
    public static void Draw(Screen screen, int top, IReadOnlyList<Run[]> rows)
    {
        for (var r = 0; r < rows.Count; r++)
        {
            var y = top + r;
            var fill = rows[r].Length > 0 ? rows[r][^1].Bg : Cell.Default;
            screen.Fill(0, y, screen.Cols, 1, new Cell(' ', Cell.Default, fill));
            var x = 0;
            foreach (var run in rows[r])
            {
                x += screen.Text(x, y, run.Text, screen.Cols - x, run.Fg, run.Bg);
            }
        }
    }

    /// <summary>One message's rows: "12:04 name: text", wrapped on cluster boundaries, later rows indented.</summary>
    private static List<Run[]> Wrap(ChatMessage message, int cols, TimeZoneInfo zone)
    {
        var time = TimeZoneInfo.ConvertTime(message.Time, zone).ToString("HH:mm ", CultureInfo.InvariantCulture);
        var name = TextCells.Fit(message.From, Math.Max(1, cols / 3));
        var rows = new List<Run[]>();
        var row = new List<Run> { new(time, TimeFg), new(name, ColorOf(message)), new(": ", TimeFg) };
        var used = TextCells.Width(time) + TextCells.Width(name) + 2;
        var text = new StringBuilder();
        foreach (var line in TextCells.Visible(message.Text).Split('\n'))
        {
            if (rows.Count > 0 || row.Count > 3)
            {
                // A line break in the message: a new, indented row.
                Flush();
                used = Indent.Length;
                row.Add(new Run(Indent, TextFg));
            }

            foreach (var (cluster, width) in TextCells.Clusters(line))
            {
                if (used + width > cols && used > Indent.Length)
                {
                    Flush();
                    used = Indent.Length;
                    row.Add(new Run(Indent, TextFg));
                }

                text.Append(cluster);
                used += width;
            }

            row.Add(new Run(text.ToString(), TextFg));
            text.Clear();
        }

        rows.Add([.. row]);
        return rows;

        void Flush()
        {
            if (text.Length > 0)
            {
                row.Add(new Run(text.ToString(), TextFg));
                text.Clear();
            }

            rows.Add([.. row]);
            row.Clear();
        }
    }

    /// <summary>The input line: the notice, the prompt, the end of the draft that fits, and a block where the next character goes.</summary>
    private static Run[] InputLine(string draft, string? notice, int cols)
    {
        var said = notice is null ? string.Empty : TextCells.Fit(TextCells.Visible($" {notice}").Replace('\n', ' '), Math.Max(0, (cols / 2) - 1));
        var clusters = TextCells.Clusters(TextCells.Visible(draft).Replace('\n', ' ')).ToList();
        var room = Math.Max(0, cols - TextCells.Width(said) - TextCells.Width(Prompt) - 1);
        var shown = new List<string>();
        var used = 0;
        for (var i = clusters.Count - 1; i >= 0 && used + clusters[i].Width <= room; i--)
        {
            shown.Insert(0, clusters[i].Text);
            used += clusters[i].Width;
        }

        return [new Run(said, NoticeFg, InputBg), new Run(Prompt, InputFg, InputBg), new Run(string.Concat(shown), InputFg, InputBg), new Run(" ", InputBg, InputFg), new Run(string.Empty, InputFg, InputBg)];
    }
}
