namespace S2cd.Contract;

/// <summary>
/// What a client changes of an open view with <see cref="ControlProtocol.Methods.ViewSet"/>: a field left null stays as
/// it is. The answer is the view's settings after the change.
/// </summary>
public sealed record ViewSettings
{
    /// <summary>The frame rates a view steps through (its <c>+</c> and <c>-</c> keys).</summary>
    public static readonly IReadOnlyList<int> FrameRates = [5, 10, 15, 20, 30];

    /// <summary>A new view's frame rate.</summary>
    public const int DefaultFrameRate = 30;

    /// <summary>Whether every key of the view is shown over the picture.</summary>
    public bool? Help { get; init; }

    /// <summary>The most frames a second the view is drawn: one of <see cref="FrameRates"/>.</summary>
    public int? FrameRate { get; init; }

    /// <summary>The rate after <paramref name="rate"/> in <see cref="FrameRates"/>, one step <paramref name="up"/> or down, kept within them.</summary>
    public static int Step(int rate, bool up)
    {
        var at = FrameRates.ToList().IndexOf(rate);
        at = at < 0 ? FrameRates.Count - 1 : Math.Clamp(at + (up ? 1 : -1), 0, FrameRates.Count - 1);
        return FrameRates[at];
    }
}
