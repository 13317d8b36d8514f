using System.Text.RegularExpressions;

namespace S2cd.Tests.Support;

/// <summary>What a view's frame writes as characters, for tests that look for text in it.</summary>
internal static partial class ViewText
{
    /// <summary>
    /// The frame's characters in the order written, without the view's own colour and cursor sequences (CSI) and without
    /// spaces: the diff writer moves the cursor over blank cells instead of writing them, so spaces cannot be relied on.
    /// Anything else (an OSC, a BEL) stays, so that a test can see it was never written.
    /// </summary>
    public static string Characters(string frame) => Csi().Replace(frame, string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal);

    [GeneratedRegex("\u001b\\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Csi();
}
