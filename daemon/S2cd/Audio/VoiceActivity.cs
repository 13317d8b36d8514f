namespace S2cd.Audio;

/// <summary>
/// Voice activity, 10 ms at a time: whether someone speaks (the speaking mark) and whether to transmit (discontinuous
/// transmission). A period is speech-like when speexdsp's speech probability is at least <see cref="SpeechProbability"/>
/// percent and it is louder than <see cref="QuietestDbfs"/>; without speexdsp, when it stands
/// <see cref="AboveFloorDb"/> above the tracked noise floor. Speaking starts at the first speech-like period and ends
/// <see cref="Hold"/> after the last one, so the mark clears about 150 ms after the speaker stops (within the 300 ms a
/// listener notices); transmission goes on <see cref="TransmitTail"/> longer, so that the gaps between words are sent
/// and only real pauses are not. A steady tone or hum is not speech: speexdsp learns it as noise within a second.
/// </summary>
internal sealed class VoiceActivity
{
    public const int SpeechProbability = 60;
    public const double QuietestDbfs = -60;
    public const double AboveFloorDb = 15;
    public static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan TransmitTail = TimeSpan.FromMilliseconds(400);
    private const int PeriodMs = 10;
    private int _sinceSpeechMs = int.MaxValue / 2;
    private double _floorDbfs = double.NaN;

    /// <summary>True while speech was heard within <see cref="Hold"/>.</summary>
    public bool Speaking => _sinceSpeechMs <= Hold.TotalMilliseconds;

    /// <summary>True while speech was heard within <see cref="Hold"/> plus <see cref="TransmitTail"/>.</summary>
    public bool Transmitting => _sinceSpeechMs <= (Hold + TransmitTail).TotalMilliseconds;

    /// <summary>
    /// The next period: its level in dBFS and speexdsp's speech probability in percent (null without speexdsp).
    /// Returns whether it was speech-like.
    /// </summary>
    public bool Next(double levelDbfs, int? probability)
    {
        if (double.IsNaN(_floorDbfs))
        {
            _floorDbfs = levelDbfs;
        }

        var speechLike = probability is { } p
            ? p >= SpeechProbability && levelDbfs > QuietestDbfs
            : levelDbfs > Math.Max(QuietestDbfs, _floorDbfs + AboveFloorDb);

        // The floor follows quiet periods at once and loud ones slowly (about 3 dB a second), as a minimum tracker does.
        _floorDbfs = levelDbfs < _floorDbfs ? levelDbfs : _floorDbfs + Math.Min(levelDbfs - _floorDbfs, 0.03);
        _sinceSpeechMs = speechLike ? 0 : Math.Min(_sinceSpeechMs + PeriodMs, int.MaxValue / 2);
        return speechLike;
    }

    public void Reset() => _sinceSpeechMs = int.MaxValue / 2;
}
