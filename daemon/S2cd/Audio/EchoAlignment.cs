namespace S2cd.Audio;

/// <summary>
/// Gives the echo canceller its reference where the echo really is: the devices' figures place what the speaker played
/// against what the microphone heard (<see cref="EchoReference"/>), <see cref="EchoDelayEstimator"/> finds from the
/// signals how much later the echo comes than that, and <see cref="EchoDrift"/> how fast that delay moves when the two
/// devices' clocks run apart. The canceller's reference is read that much earlier, less <see cref="MarginMs"/>, so the
/// echo sits early in the canceller's tail whatever the devices report, and it follows the drift between samples, so
/// the canceller sees a still echo path. The reference jumps only when the echo leaves
/// <see cref="MinTapMs"/>..<see cref="MaxTapMs"/> of the tail, or when the drift, once measured, has moved the echo
/// a sample or more from where the canceller learned it; each jump starts the canceller afresh.
/// </summary>
internal sealed class EchoAlignment(EchoReference reference)
{
    /// <summary>Where in the canceller's tail an estimated echo is placed.</summary>
    public const int MarginMs = 10;

    /// <summary>An echo earlier than this in the tail moves the reference (the canceller cannot model sound before its reference).</summary>
    public const int MinTapMs = 2;

    /// <summary>An echo later than this in the tail moves the reference (it would leave its reflections too little tail).</summary>
    public const int MaxTapMs = 20;

    private const int SamplesPerMs = AudioOptions.SampleRate / 1000;
    private const int Period = AudioOptions.PeriodSamples;
    private readonly EchoDelayEstimator _estimator = new();
    private readonly EchoDrift _drift = new();
    private readonly short[] _ahead = new short[Period];
    private readonly short[] _window = new short[Period + (2 * EchoDrift.Reach) + 1];
    private readonly short[] _around = new short[Period + 4];
    private long _next = long.MinValue;
    private long _periods;
    private int _delayAtMove;
    private double? _firstFine;

    /// <summary>How much earlier than the devices' figure the canceller's reference is read, in samples, at the last jump.</summary>
    public int ShiftSamples { get; private set; }

    /// <summary>How far the reference has followed the drift since the last jump, in samples.</summary>
    public double Drifted { get; private set; }

    /// <summary>Times the reference jumped.</summary>
    public long Moves { get; private set; }

    /// <summary>The echo's delay beyond what the devices report, in milliseconds, once the signals have shown it.</summary>
    public int? EstimatedDelayMs => _estimator.DelaySamples is { } samples ? (int)Math.Round(samples / (double)SamplesPerMs) : null;

    /// <summary>The two clocks' drift as followed, in parts per million (0 until shown).</summary>
    public double DriftPpm => _drift.Rate * 1e6;

    /// <summary>
    /// One captured period as read (<paramref name="capture"/>, before processing), whose first sample was heard at
    /// <paramref name="heard"/> on the reference's timeline: fills <paramref name="canceller"/> with the reference for
    /// it. Returns true when the reference jumped, so that the canceller must start afresh.
    /// </summary>
    public bool Next(ReadOnlySpan<short> capture, long heard, Span<short> canceller)
    {
        if (_next != long.MinValue && heard != _next)
        {
            // The timeline jumped (an xrun, a stall): the histories no longer line up with the capture.
            _estimator.Restart();
            _drift.Restart();
            _firstFine = null;
        }

        _next = heard + capture.Length;
        _periods++;
        reference.Read(heard + EchoDelayEstimator.LeadSamples, _ahead);
        _estimator.Observe(capture, _ahead);
        var moved = false;
        if (_estimator.DelaySamples is { } delay)
        {
            var tap = delay - ShiftSamples - Drifted;
            if (Moves == 0 || tap < MinTapMs * SamplesPerMs || tap > MaxTapMs * SamplesPerMs)
            {
                ShiftSamples = delay - (MarginMs * SamplesPerMs);
                _delayAtMove = delay;
                Drifted = 0;
                _firstFine = null;
                _drift.Restart();
                Moves++;
                moved = true;
            }

            // Around where the echo is expected now, the fine delay and the drift; the reference follows the drift.
            var center = _delayAtMove + (long)Math.Round(Drifted);
            reference.Read(heard - center - EchoDrift.Reach - 1, _window);
            var settled = _drift.Settled;
            _drift.Observe(_periods, capture, _window, center);
            _firstFine ??= _drift.Delay;
            if (!settled && _drift.Settled && _drift.Delay is { } now && Math.Abs(now - _firstFine!.Value - Drifted) >= 1)
            {
                // The clocks are apart by more than the canceller followed while the drift was being measured: catch
                // up with where the echo is and start it afresh on a still echo path.
                Drifted = now - _firstFine.Value;
                moved = true;
            }

            Drifted += _drift.Rate * capture.Length;
        }

        ReadBetweenSamples(heard - ShiftSamples - Drifted, canceller);
        return moved;
    }

    /// <summary>The reference from <paramref name="start"/>, a fractional position: four-point Lagrange interpolation.</summary>
    private void ReadBetweenSamples(double start, Span<short> output)
    {
        var whole = (long)Math.Floor(start);
        var t = start - whole;
        if (t == 0)
        {
            reference.Read(whole, output);
            return;
        }

        reference.Read(whole - 1, _around.AsSpan(0, output.Length + 3));
        var c0 = -t * (t - 1) * (t - 2) / 6;
        var c1 = (t + 1) * (t - 1) * (t - 2) / 2;
        var c2 = -(t + 1) * t * (t - 2) / 2;
        var c3 = (t + 1) * t * (t - 1) / 6;
        for (var i = 0; i < output.Length; i++)
        {
            var value = (c0 * _around[i]) + (c1 * _around[i + 1]) + (c2 * _around[i + 2]) + (c3 * _around[i + 3]);
            output[i] = (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
        }
    }
}
