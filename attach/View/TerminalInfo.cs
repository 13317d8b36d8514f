namespace S2cAttach.View;

/// <summary>What the terminal can show, from the environment, and its size.</summary>
internal static class TerminalInfo
{
    /// <summary>The render mode and colour depth a terminal supports: COLORTERM, then TERM.</summary>
    public static (string Mode, string Colors) Detect(string? colorTerm, string? term)
    {
        if (colorTerm is "truecolor" or "24bit")
        {
            return ("blocks", "truecolor");
        }

        if (term is not null && (term.Contains("256color", StringComparison.Ordinal) || term.Contains("truecolor", StringComparison.Ordinal)
            || term.StartsWith("tmux", StringComparison.Ordinal) || term.StartsWith("screen", StringComparison.Ordinal)))
        {
            return ("blocks", "256");
        }

        return ("ascii", "256");
    }

    /// <summary>The terminal's size from the first of stdout, stdin, stderr that is a terminal; else COLUMNS/LINES; else 80×24.</summary>
    public static (int Columns, int Rows) Size()
    {
        foreach (var fd in new[] { 1, 0, 2 })
        {
            if (Interop.ioctl(fd, Interop.TIOCGWINSZ, out var size) == 0 && size.Cols > 0 && size.Rows > 0)
            {
                return (size.Cols, size.Rows);
            }
        }

        return (Env("COLUMNS", 80), Env("LINES", 24));
    }

    public static bool IsTerminal(int fd) => Interop.isatty(fd) == 1;

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;
}
