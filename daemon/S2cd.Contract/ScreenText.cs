namespace S2cd.Contract;

/// <summary>What <c>screen(name, ansi)</c> answers: a member's shared screen as it is now.</summary>
public sealed record ScreenText
{
    /// <summary>The sharer's display name.</summary>
    public required string From { get; init; }

    /// <summary>Columns.</summary>
    public required int Cols { get; init; }

    /// <summary>Rows.</summary>
    public required int Rows { get; init; }

    /// <summary>The screen's text, a line a row (spaces at the end left out; nothing that is not text).</summary>
    public required string[] Lines { get; init; }

    /// <summary>With colours asked for: the screen with SGR colour sequences and nothing else.</summary>
    public string? Ansi { get; init; }
}

/// <summary>What <c>shareUpdate(update)</c> answers the sharing client.</summary>
public sealed record ShareAnswer
{
    /// <summary>The next update should be a full state (a member joined or asked for one, or the last did not apply).</summary>
    public bool FullWanted { get; init; }

    /// <summary>How many others are in the call to see it.</summary>
    public int Viewers { get; init; }
}
