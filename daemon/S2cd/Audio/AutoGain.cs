namespace S2cd.Audio;

/// <summary>
/// Automatic gain control on speech: it measures how loud the speaker is while voice activity hears speech and moves
/// the gain so that speech comes out at the target level: up by at most 10 dB a second (a quiet voice is brought up
/// within a few seconds, a pause brings nothing up), down by at most 40 dB a second (a shout is tamed at once), between
/// <see cref="MinGainDb"/> and <see cref="MaxGainDb"/>. The gain is held in pauses, so noise between words is not
/// raised. The gain changes smoothly across each period, and a limiter keeps a sudden peak from clipping.
/// </summary>
internal sealed class AutoGain(double targetDbfs)
{
    public const double MaxGainDb = 30;
    public const double MinGainDb = -20;
    private const double UpDbPerPeriod = 0.1;
    private const double DownDbPerPeriod = 0.4;
    private double _gainDb;
    private double _speechDbfs = double.NaN;

    public double TargetDbfs { get; } = targetDbfs;

    /// <summary>The gain now applied, in dB.</summary>
    public double GainDb => _gainDb;

    /// <summary>Applies the gain to <paramref name="period"/>; <paramref name="speech"/> says whether it is speech, <paramref name="levelDbfs"/> its level before.</summary>
    public void Apply(Span<short> period, bool speech, double levelDbfs)
    {
        var from = _gainDb;
        if (speech && levelDbfs > VoiceActivity.QuietestDbfs)
        {
            // The speech level: rises quickly with loud syllables, falls slowly through the quiet ones.
            _speechDbfs = double.IsNaN(_speechDbfs) ? levelDbfs : _speechDbfs + ((levelDbfs - _speechDbfs) * (levelDbfs > _speechDbfs ? 0.2 : 0.02));
            var wanted = Math.Clamp(TargetDbfs - _speechDbfs, MinGainDb, MaxGainDb);
            _gainDb = wanted > _gainDb ? Math.Min(wanted, _gainDb + UpDbPerPeriod) : Math.Max(wanted, _gainDb - DownDbPerPeriod);
        }

        if (from == 0 && _gainDb == 0)
        {
            return;
        }

        var start = Math.Pow(10, from / 20);
        var step = (Math.Pow(10, _gainDb / 20) - start) / period.Length;
        var peak = 0.0;
        for (var i = 0; i < period.Length; i++)
        {
            peak = Math.Max(peak, Math.Abs(period[i] * (start + (step * i))));
        }

        // The limiter: a period that would clip is scaled to just below full scale as a whole.
        var limit = peak > 32000 ? 32000 / peak : 1;
        for (var i = 0; i < period.Length; i++)
        {
            period[i] = (short)Math.Clamp(Math.Round(period[i] * (start + (step * i)) * limit), short.MinValue, short.MaxValue);
        }
    }

    public void Reset()
    {
        _gainDb = 0;
        _speechDbfs = double.NaN;
    }
}
