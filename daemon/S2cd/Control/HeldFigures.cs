namespace S2cd.Control;

/// <summary>
/// The figures a view's status line shows (its own frames per second, the round trip to the relay), moved at most once a
/// second: a line whose readout alternated 29/32 fps on every frame rewrote itself with every picture, about 3 KB a
/// second of status line for a still picture. Between updates the line changes only when what it says changes.
/// </summary>
internal sealed class HeldFigures
{
    /// <summary>How often the figures may move.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    private long _at = long.MinValue;
    private (double Fps, double? RoundTripMs) _shown;

    /// <summary>The figures to show at <paramref name="now"/> (a <see cref="TimeProvider"/> timestamp ticking <paramref name="frequency"/> a second).</summary>
    public (double Fps, double? RoundTripMs) Show(long now, long frequency, double fps, double? roundTripMs)
    {
        // A round trip that appears or goes (connected, disconnected) is news at once; its value waits its turn.
        var appeared = _shown.RoundTripMs.HasValue != roundTripMs.HasValue;
        if (_at == long.MinValue || appeared || now - _at >= (long)(Every.TotalSeconds * frequency))
        {
            _at = now;
            _shown = (fps, roundTripMs);
        }

        return _shown;
    }
}
