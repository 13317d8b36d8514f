namespace S2cd.Contract;

/// <summary>
/// What a client changes of an open view with <see cref="ControlProtocol.Methods.ViewSet"/>: a field left null stays as
/// it is. The answer is the view's settings after the change.
/// </summary>
public sealed record ViewSettings
{
    /// <summary>The frame rates a view steps through (its <c>+</c> and <c>-</c> keys), after <see cref="Unpaced"/>.</summary>
    public static readonly IReadOnlyList<int> FrameRates = [5, 10, 15, 20, 30];

    /// <summary>
    /// A new view's frame rate: none of its own, a frame whenever a picture changes (as fast as the client writes them),
    /// so that a new picture is never held back to keep a pace.
    /// </summary>
    public const int Unpaced = 0;

    /// <summary>Whether every key of the view is shown over the picture.</summary>
    public bool? Help { get; init; }

    /// <summary>The most frames a second the view is drawn: one of <see cref="FrameRates"/>, or <see cref="Unpaced"/>.</summary>
    public int? FrameRate { get; init; }

    /// <summary>Whether a shared terminal screen is shown alone at the view's size (the view's <c>s</c>), rather than as a tile.</summary>
    public bool? ScreenFull { get; init; }

    /// <summary>Whether the chat strip is shown above the status line (a view starts with it shown).</summary>
    public bool? Chat { get; init; }

    /// <summary>Whether the chat input line is open (the view's <c>t</c>); closing it drops the draft.</summary>
    public bool? Typing { get; init; }

    /// <summary>What is typed on the open input line so far, shown there (at most <see cref="ControlProtocol.MaxChatBytes"/> bytes of UTF-8).</summary>
    public string? Draft { get; init; }

    /// <summary>A word for the input line from the client (why its message was not sent), at most 300 characters; empty clears it.</summary>
    public string? Notice { get; init; }

    /// <summary>
    /// The rate one step <paramref name="up"/> or down from <paramref name="rate"/>: down from unpaced is 30, up from 30
    /// is unpaced again, and 5 is the lowest.
    /// </summary>
    public static int Step(int rate, bool up)
    {
        var at = rate == Unpaced ? FrameRates.Count : FrameRates.ToList().IndexOf(rate);
        at = Math.Clamp((at < 0 ? FrameRates.Count : at) + (up ? 1 : -1), 0, FrameRates.Count);
        return at == FrameRates.Count ? Unpaced : FrameRates[at];
    }
}
