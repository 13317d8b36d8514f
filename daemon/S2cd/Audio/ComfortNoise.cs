namespace S2cd.Audio;

/// <summary>
/// The sender's side of comfort noise: the room's level while nothing is sent (the microphone after echo cancelling,
/// noise suppression and gain, as it would have been sent), and when to describe it to the others. A description goes
/// out at the start of each pause and then once a second, so that receivers hear the room at its level instead of a
/// dead line; the last one before the microphone is muted says silence.
/// </summary>
internal sealed class RoomLevel
{
    /// <summary>Milliseconds between descriptions in a pause.</summary>
    public const int EveryMs = 1000;

    /// <summary>How fast the level follows the room, in milliseconds.</summary>
    private const double FollowMs = 200;
    private double _power = -1;
    private int _sinceDescribedMs = EveryMs;
    private byte _described = 127;

    /// <summary>The room's level in -dBov (127: silence, or not heard yet).</summary>
    public byte Level => _power <= 0 ? (byte)127 : (byte)Math.Clamp(-10 * Math.Log10(_power), 0, 127);

    /// <summary>A frame that is not sent (a pause): part of the room. Returns whether to describe it now.</summary>
    public bool Heard(ReadOnlySpan<short> frame)
    {
        var rms = AudioPacketHeader.Rms(frame);
        var power = rms * rms;
        var ms = frame.Length * 1000 / AudioOptions.SampleRate;
        _power = _power < 0 ? power : _power + (ms / FollowMs * (power - _power));
        if (_sinceDescribedMs < EveryMs)
        {
            _sinceDescribedMs += ms;
            return false;
        }

        _sinceDescribedMs = ms;
        _described = Level;
        return true;
    }

    /// <summary>A frame was sent (speech): the next pause is described at once.</summary>
    public void Sent() => _sinceDescribedMs = EveryMs;

    /// <summary>The microphone stopped sending (muted): whether to say so once, with a description of silence.</summary>
    public bool Silenced()
    {
        _sinceDescribedMs = EveryMs;
        if (_described == 127)
        {
            return false;
        }

        _described = 127;
        return true;
    }
}

/// <summary>
/// The receiver's side: noise at the level a sender described, played while that sender pauses. Softer than white
/// (a one-pole low-pass), never louder than <see cref="LoudestLevel"/> whatever a sender claims, and only while
/// descriptions keep coming (<see cref="Lifetime"/>): a sender that stops describing (gone, or its link down) fades to
/// silence. Described on the thread that receives, played on the playback thread: the level and time are read and
/// written whole, the generator's state is the playback thread's alone.
/// </summary>
internal sealed class ComfortNoise
{
    /// <summary>The loudest comfort noise played, in -dBov (-40 dBFS).</summary>
    public const byte LoudestLevel = 40;

    public static readonly TimeSpan Lifetime = TimeSpan.FromMilliseconds(2500);
    private const double Smoothing = 0.5;

    /// <summary>The gain that makes the low-passed uniform noise's RMS one: 1 / (sqrt((1-a)/(1+a)) / sqrt(3)).</summary>
    private static readonly double UnitGain = Math.Sqrt(3) / Math.Sqrt((1 - Smoothing) / (1 + Smoothing));
    private uint _state = 0x9E3779B9;
    private double _low;
    private byte _level = 127;
    private long _describedAt;

    /// <summary>A description arrived: the sender's room is at <paramref name="level"/> (-dBov).</summary>
    public void Described(byte level, long nowMicroseconds)
    {
        Volatile.Write(ref _level, Math.Max(level, LoudestLevel));
        Volatile.Write(ref _describedAt, nowMicroseconds);
    }

    /// <summary>Whether there is noise to play now: a description of a room that is not silent, recent enough.</summary>
    public bool Active(long nowMicroseconds) =>
        Volatile.Read(ref _level) < 127 && nowMicroseconds - Volatile.Read(ref _describedAt) <= (long)Lifetime.TotalMicroseconds;

    /// <summary>Adds one period of the noise, at <paramref name="volume"/> percent, to <paramref name="sum"/>.</summary>
    public void AddTo(Span<int> sum, int volume)
    {
        var scale = Math.Pow(10, -Volatile.Read(ref _level) / 20.0) * 32768 * UnitGain * volume / 100;
        for (var i = 0; i < sum.Length; i++)
        {
            // xorshift32: cheap, and no allocation on the playback thread.
            _state ^= _state << 13;
            _state ^= _state >> 17;
            _state ^= _state << 5;
            var uniform = (_state / (double)uint.MaxValue * 2) - 1;
            _low = (Smoothing * _low) + ((1 - Smoothing) * uniform);
            sum[i] += (int)Math.Round(_low * scale);
        }
    }
}
