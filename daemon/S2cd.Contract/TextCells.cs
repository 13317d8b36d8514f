using System.Globalization;
using System.Text;
using Wcwidth;

namespace S2cd.Contract;

/// <summary>
/// How text takes a terminal's cells, for the view and every table <c>s2c-attach</c> prints: grapheme clusters
/// (a base with its combining marks, an emoji sequence), each one or two cells wide by the Unicode width tables
/// of the Wcwidth package. A cluster that would move the cursor or change the terminal (a control, a bidi
/// override, other formatting outside emoji sequences) becomes '?', so names can never be written raw.
/// </summary>
public static class TextCells
{
    /// <summary>What a cut ends with.</summary>
    public const string Ellipsis = "…";

    private const int ZeroWidthJoiner = 0x200D;
    private const int EmojiPresentation = 0xFE0F;

    /// <summary>The clusters of <paramref name="text"/>, each as it is to be written and its width (1 or 2).</summary>
    public static IEnumerable<(string Text, int Width)> Clusters(string text)
    {
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            yield return Measure(elements.GetTextElement());
        }
    }

    /// <summary>One cluster: itself and its width, or "?" (one cell) when it may not be written as it is.</summary>
    public static (string Text, int Width) Measure(string cluster)
    {
        var width = 0;
        var first = true;
        var emoji = false;
        foreach (var rune in cluster.EnumerateRunes())
        {
            if (!IsSafe(rune))
            {
                return ("?", 1);
            }

            emoji |= rune.Value == EmojiPresentation;
            if (first)
            {
                width = UnicodeCalculator.GetWidth(rune.Value);
                first = false;
            }
        }

        // A cluster that starts with a mark or a joiner has nothing to stand on; one the tables do not know is unsafe.
        return width < 1 ? ("?", 1) : (cluster, emoji ? 2 : Math.Min(width, 2));
    }

    /// <summary>The cells <paramref name="text"/> takes.</summary>
    public static int Width(string text)
    {
        var width = 0;
        foreach (var (_, w) in Clusters(text))
        {
            width += w;
        }

        return width;
    }

    /// <summary>
    /// The text as it may be written (unsafe clusters as '?'), cut at a cluster boundary to at most
    /// <paramref name="maxWidth"/> cells, ending with "…" when it was cut.
    /// </summary>
    public static string Fit(string text, int maxWidth)
    {
        if (maxWidth <= 0)
        {
            return string.Empty;
        }

        var clusters = Clusters(text).ToList();
        var total = clusters.Sum(c => c.Width);
        var room = total <= maxWidth ? maxWidth : maxWidth - 1;
        var fitted = new StringBuilder(text.Length + 1);
        var used = 0;
        foreach (var (cluster, width) in clusters)
        {
            if (used + width > room)
            {
                break;
            }

            fitted.Append(cluster);
            used += width;
        }

        return total <= maxWidth ? fitted.ToString() : fitted.Append(Ellipsis).ToString();
    }

    /// <summary>The text with spaces after it up to <paramref name="width"/> cells (a column of a table).</summary>
    public static string Pad(string text, int width) => text + new string(' ', Math.Max(0, width - Width(text)));

    /// <summary>
    /// Text someone typed, made harmless to write and still readable: each C0 control and DEL as its Unicode control
    /// picture (ESC as ␛, so an escape sequence shows as ␛[31m and does nothing), a tab as two spaces. Line breaks stay
    /// (the caller breaks lines there; a CR before one is dropped). Whatever else may not be written raw becomes '?' when it is written
    /// (<see cref="Clusters"/>).
    /// </summary>
    public static string Visible(string text)
    {
        var visible = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            _ = c switch
            {
                '\n' => visible.Append('\n'),
                '\r' when i + 1 < text.Length && text[i + 1] == '\n' => visible,
                '\t' => visible.Append("  "),
                < ' ' => visible.Append((char)(0x2400 + c)),
                '\u007f' => visible.Append('\u2421'),
                _ => visible.Append(c),
            };
        }

        return visible.ToString();
    }

    /// <summary>The text as it may be written: every cluster that may not be written raw as '?'.</summary>
    public static string Safe(string text) => string.Concat(Clusters(text).Select(c => c.Text));

    private static bool IsSafe(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned => false,

        // Of the formatting characters only the joiner of emoji sequences; never a bidi override or isolate.
        UnicodeCategory.Format => rune.Value == ZeroWidthJoiner,
        _ => true,
    };
}
