namespace S2cd.Audio;

/// <summary>
/// The straight line through an echo's fine delays over time, whose slope is the drift of two clocks: weighted least
/// squares in which each point's weight fades by <see cref="Forget"/> per newer one (a memory of about ten seconds of
/// far-end sound), kept as running sums about the first point. The slope is given once there are
/// <see cref="MinimumPoints"/> points over at least <see cref="MinimumSpread"/> samples and its standard error, from the
/// points' scatter about the line, is under <see cref="SettledError"/>; from then on it follows every point.
/// </summary>
internal sealed class DriftLine
{
    /// <summary>Each point's weight fades by this per newer one.</summary>
    public const double Forget = 0.999;

    /// <summary>Points needed before a slope is given.</summary>
    public const int MinimumPoints = 60;

    /// <summary>Samples those must spread over (0.8 s: 100 ppm moves the echo 4 samples in it).</summary>
    public const int MinimumSpread = AudioOptions.SampleRate * 8 / 10;

    /// <summary>The slope is given once its standard error is this small (1 ppm: a twentieth of a sample a second).</summary>
    public const double SettledError = 1e-6;

    /// <summary>No clocks are further apart than this (a thousandth); a fit beyond it is noise.</summary>
    public const double MaximumDrift = 1e-3;

    private (long At, double Delay) _origin;
    private int _count;
    private double _w, _sx, _sy, _sxx, _sxy, _syy;

    /// <summary>Samples of delay per sample of time, once <see cref="Settled"/>.</summary>
    public double Slope { get; private set; }

    /// <summary>Whether the slope is known well enough to follow.</summary>
    public bool Settled { get; private set; }

    /// <summary>The slope's standard error (NaN before there are enough points).</summary>
    public double StandardError { get; private set; } = double.NaN;

    /// <summary>The fine delay <paramref name="delay"/> (samples) at <paramref name="at"/> (samples on any steady clock).</summary>
    public void Add(long at, double delay)
    {
        if (_count == 0)
        {
            _origin = (at, delay);
        }

        var x = (double)(at - _origin.At);
        var y = delay - _origin.Delay;
        _w = (Forget * _w) + 1;
        _sx = (Forget * _sx) + x;
        _sy = (Forget * _sy) + y;
        _sxx = (Forget * _sxx) + (x * x);
        _sxy = (Forget * _sxy) + (x * y);
        _syy = (Forget * _syy) + (y * y);
        _count++;
        if (_count < MinimumPoints || at - _origin.At < MinimumSpread)
        {
            return;
        }

        var cxx = _sxx - (_sx * _sx / _w);
        var cxy = _sxy - (_sx * _sy / _w);
        var cyy = _syy - (_sy * _sy / _w);
        if (cxx <= 0)
        {
            return;
        }

        var slope = cxy / cxx;
        var scatter = Math.Max(0, cyy - (slope * cxy)) / Math.Max(1, _w - 2);
        StandardError = Math.Sqrt(scatter / cxx);
        if (Settled || StandardError <= SettledError)
        {
            Slope = Math.Clamp(slope, -MaximumDrift, MaximumDrift);
            Settled = true;
        }
    }

    public void Restart()
    {
        _count = 0;
        _w = _sx = _sy = _sxx = _sxy = _syy = 0;
        Slope = 0;
        Settled = false;
        StandardError = double.NaN;
    }
}
