namespace S2cd.Audio;

/// <summary>
/// The slow drift of the echo's delay when the microphone's and the speaker's clocks run apart (100 ppm is 4.8 samples a
/// second at 48 kHz: enough to undo a linear echo canceller within a second, as speexdsp's is). Around the delay already
/// found, the capture is correlated with the reference at full rate, 32 samples either side, whitened, over the last few
/// periods; the peak, refined between lags by band-limited interpolation, gives the delay to about a tenth of a sample
/// each period the far end plays; <see cref="DriftLine"/> fits the drift to those. <see cref="EchoAlignment"/> moves the
/// canceller's reference by it, so the canceller sees a still echo path.
/// </summary>
internal sealed class EchoDrift
{
    /// <summary>Samples either side of the expected delay that are searched.</summary>
    public const int Reach = 32;

    private const int Period = AudioOptions.PeriodSamples;
    private const int Taps = 8;
    private const int Lags = (2 * Reach) + 1;
    private const float Fade = 0.5f;
    private const float SilentPower = 40f * 40f;
    private const float MinimumCorrelation = 0.6f;

    private readonly DriftLine _line = new();
    private readonly float[] _sums = new float[Lags];
    private readonly float[] _capture = new float[Period];
    private readonly float[] _reference = new float[Period + (2 * Reach)];
    private float _capturePower;
    private float _referencePower;
    private float _lastCapture;
    private long _center = long.MinValue;

    /// <summary>The drift: how many samples the echo's delay grows per sample (0 until enough has been heard).</summary>
    public double Rate => _line.Settled ? _line.Slope : 0;

    /// <summary>Whether enough has been heard to give <see cref="Rate"/>.</summary>
    public bool Settled => _line.Settled;

    /// <summary>The last fine delay (samples, beyond the devices' figure), or null.</summary>
    public double? Delay { get; private set; }

    /// <summary>
    /// Period number <paramref name="period"/> of the capture (as read) and <paramref name="reference"/>: the speaker's
    /// samples from <c>Reach + 1</c> before <paramref name="center"/> samples earlier than the capture's own alignment to
    /// <c>Reach</c> after its end (<c>Period + 2 Reach + 1</c> samples).
    /// </summary>
    public void Observe(long period, ReadOnlySpan<short> capture, ReadOnlySpan<short> reference, long center)
    {
        if (_center != long.MinValue && center != _center)
        {
            Recenter(center - _center);
        }

        _center = center;
        Whiten(capture, _capture, ref _lastCapture);
        for (var i = 0; i < _reference.Length; i++)
        {
            _reference[i] = reference[i + 1] - (0.95f * reference[i]);
        }

        var farPower = 0f;
        foreach (var r in _reference.AsSpan(Reach, Period))
        {
            farPower += r * r;
        }

        if (farPower / Period < SilentPower)
        {
            return;
        }

        _capturePower = (Fade * _capturePower) + Dot(_capture, _capture);
        _referencePower = (Fade * _referencePower) + farPower;
        var best = 0;
        for (var k = 0; k < Lags; k++)
        {
            // Lag center + (k - Reach): reference sample i of the capture is at window index i + 2 Reach - k.
            _sums[k] = (Fade * _sums[k]) + Dot(_capture, _reference.AsSpan((2 * Reach) - k, Period));
            if (_sums[k] > _sums[best])
            {
                best = k;
            }
        }

        var norm = MathF.Sqrt(_capturePower * _referencePower);
        if (best < Taps || best >= Lags - Taps || norm <= 0 || _sums[best] / norm < MinimumCorrelation)
        {
            return;
        }

        Delay = center + (best - Reach) + Refine(best);
        _line.Add(period * Period, Delay.Value);
    }

    /// <summary>
    /// Where between lags the correlation peaks: the sums are the correlation sampled at whole lags, so a band-limited
    /// interpolation of them (a Hann-windowed sinc of <see cref="Taps"/> lags each side) is searched within half a lag
    /// either side, a twentieth of a sample apart, then a hundredth around the best. A parabola through three lags would
    /// be off by up to a fifth of a sample, in a pattern that repeats as the fraction turns: a false drift.
    /// </summary>
    private double Refine(int best)
    {
        var at = 0.0;
        var value = Interpolated(best, 0);
        foreach (var (step, steps) in (ReadOnlySpan<(double, int)>)[(0.05, 10), (0.01, 4)])
        {
            var from = at;
            for (var k = -steps; k <= steps; k++)
            {
                var offset = from + (k * step);
                if (k == 0 || Math.Abs(offset) > 0.5)
                {
                    continue;
                }

                var candidate = Interpolated(best, offset);
                if (candidate > value)
                {
                    (value, at) = (candidate, offset);
                }
            }
        }

        return at;
    }

    private double Interpolated(int lag, double offset)
    {
        if (offset == 0)
        {
            return _sums[lag];
        }

        double sum = 0;
        for (var k = -Taps + 1; k <= Taps; k++)
        {
            var x = offset - k;
            var window = 0.5 + (0.5 * Math.Cos(Math.PI * x / (Taps + 1)));
            sum += _sums[lag + k] * window * Math.Sin(Math.PI * x) / (Math.PI * x);
        }

        return sum;
    }

    /// <summary>Forgets everything (the echo path changed).</summary>
    public void Restart()
    {
        Array.Clear(_sums);
        _capturePower = 0;
        _referencePower = 0;
        _center = long.MinValue;
        _line.Restart();
        Delay = null;
    }

    private void Recenter(long by)
    {
        // The sums are kept per lag from the center: a moved center moves them the other way.
        var moved = new float[Lags];
        for (var k = 0; k < Lags; k++)
        {
            var from = k + (int)by;
            moved[k] = from >= 0 && from < Lags ? _sums[from] : 0;
        }

        moved.CopyTo(_sums, 0);
    }

    private static void Whiten(ReadOnlySpan<short> samples, Span<float> output, ref float previous)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            output[i] = samples[i] - (0.95f * previous);
            previous = samples[i];
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => EchoDelayEstimator.Dot(a, b);
}
