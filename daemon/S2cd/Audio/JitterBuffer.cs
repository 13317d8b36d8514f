namespace S2cd.Audio;

/// <summary>
/// One sender's adaptive jitter buffer and decoder. Packets are kept by sequence number; each is 10 or 20 ms (the
/// sender's choice, read from the packet), and depths count the sender's current frame length; playout starts
/// once the target depth is buffered, and the target follows the measured arrival jitter between the
/// configured bounds. A missing packet is recovered from the next one's FEC when that has arrived, and
/// concealed otherwise. Late packets are dropped, never queued behind; a backlog above the target is
/// trimmed in silence. After a packet that says a pause follows (discontinuous transmission), running dry ends
/// the talk spurt quietly: no underrun, no concealment, and the next packet buffers afresh. All methods are safe to call from the network and playback threads.
/// </summary>
internal sealed class JitterBuffer : IDisposable
{
    private const int Slots = 64;
    private readonly Lock _lock = new();
    private readonly Packet?[] _slots = new Packet?[Slots];
    private readonly OpusDecoder _decoder = new(AudioOptions.SampleRate);
    private readonly TimeProvider _time;
    private uint _next;
    private uint _highest;
    private bool _started;
    private bool _playing;
    private bool _pauseAnnounced;
    private int _missesInARow;
    private int _frameSamples = AudioOptions.PeriodSamples;
    private readonly JitterCounts _counts = new();
    private readonly JitterTarget _target;

    public JitterBuffer(int startMs, int minMs, int maxMs, TimeProvider time)
    {
        _target = new JitterTarget(startMs, minMs, maxMs, FrameLength.ShortMs);
        _time = time;
    }

    public int TargetMs => _target.Ms;

    /// <summary>The sender's frame length, in milliseconds, from its last packet.</summary>
    private int FrameMs => _frameSamples * 1000 / AudioOptions.SampleRate;

    public long Received => _counts.Received;

    public long Late => _counts.Late;

    public long Lost => _counts.Lost;

    public long Recovered => _counts.Recovered;

    public long Concealed => _counts.Concealed;

    public long Corrupt => _counts.Corrupt;

    public long Trimmed => _counts.Trimmed;

    /// <summary>Times the buffer ran dry and was stretched by a concealed frame.</summary>
    public long Underruns => _counts.Underruns;

    /// <summary>The sender's loudness from its last packet, in -dBov, whether it was speech, and when it arrived.</summary>
    public (byte Level, bool Voice, long At) Last { get; private set; } = (127, false, 0);

    /// <summary>Talk spurts that ended in a pause the sender announced.</summary>
    public long Pauses => _counts.Pauses;

    public bool Playing
    {
        get
        {
            lock (_lock)
            {
                return _playing;
            }
        }
    }

    /// <summary>Milliseconds of audio buffered ahead of playout.</summary>
    public int DepthMs
    {
        get
        {
            lock (_lock)
            {
                return _started ? (int)Math.Max(0, _highest - _next + 1) * FrameMs : 0;
            }
        }
    }

    public void Insert(AudioPacketHeader header, ReadOnlySpan<byte> opus, long nowUnixMicroseconds)
    {
        lock (_lock)
        {
            _counts.Received++;
            Last = (header.Level, header.Voice, _time.GetTimestamp());
            var seq = header.Sequence;
            if (!_started || (int)(seq - _next) > Slots || (int)(seq - _next) < -Slots)
            {
                // First packet, or a sequence far from what is expected (a restarted sender, or garbage): start over.
                Array.Clear(_slots);
                _next = seq;
                _highest = seq;
                _started = true;
                _playing = false;
                _pauseAnnounced = false;
            }
            else if ((int)(seq - _next) < 0)
            {
                _counts.Late++;
                return;
            }

            var samples = OpusDecoder.Samples(opus);
            if (samples is AudioOptions.PeriodSamples or AudioOptions.FrameSamples && samples != _frameSamples)
            {
                // The sender changed its frame length (its link got better or worse): depths count the new one.
                _frameSamples = samples;
                _target.FrameMs = FrameMs;
            }

            _slots[seq % Slots] = new Packet(seq, header.CapturedAt, opus.ToArray(), header.Pause);
            if ((int)(seq - _highest) > 0)
            {
                _highest = seq;
            }

            _target.Arrived((nowUnixMicroseconds - header.CapturedAt) / 1000.0);
        }
    }

    /// <summary>
    /// Decodes the next frame into <paramref name="samples"/> (room for 20 ms), its length in <paramref name="length"/>.
    /// Returns the capture time of the first sample, or null when this sender is not playing (nothing written).
    /// </summary>
    public long? Pull(Span<short> samples, out int length)
    {
        length = 0;
        lock (_lock)
        {
            if (!_started)
            {
                return null;
            }

            var depth = (int)(_highest - _next + 1) * FrameMs;
            if (!_playing && !StartPlayout(ref depth))
            {
                return null;
            }

            Adapt(depth);
            length = _frameSamples;
            var slot = _next % Slots;
            long? capturedAt;
            if (_slots[slot] is { } packet && packet.Sequence == _next)
            {
                _slots[slot] = null;
                _pauseAnnounced = packet.Pause;
                capturedAt = DecodeArrived(packet, samples, ref length);
            }
            else if ((int)(_highest - _next) <= 0)
            {
                if (_pauseAnnounced)
                {
                    EndTalkSpurt();
                    return null;
                }

                RanDry(samples[..length]);
                return 0;
            }
            else
            {
                capturedAt = RecoverLost(samples[..length]);
            }

            _next++;
            if ((int)(_highest - _next) < -1)
            {
                _highest = _next - 1;
            }

            StopIfSilent();
            return capturedAt ?? 0;
        }
    }

    /// <summary>Starts playout once the target depth has built up; false while it is still filling.</summary>
    private bool StartPlayout(ref int depth)
    {
        if (depth < TargetMs)
        {
            return false;
        }

        // Start at the target depth: whatever piled up before playout began is already late.
        while (depth > TargetMs)
        {
            _slots[_next % Slots] = null;
            _next++;
            depth -= FrameMs;
            _counts.Trimmed++;
        }

        _playing = true;
        return true;
    }

    /// <summary>The packet due has arrived: its capture time, or null when it does not decode (then concealed).</summary>
    private long? DecodeArrived(Packet packet, Span<short> samples, ref int length)
    {
        var decoded = _decoder.Decode(packet.Opus, samples);
        _target.Outcome(lost: false);
        if (decoded is AudioOptions.PeriodSamples or AudioOptions.FrameSamples)
        {
            _missesInARow = 0;
            length = decoded;
            return packet.CapturedAt;
        }

        _counts.Corrupt++;
        Conceal(samples[..length]);
        return null;
    }

    /// <summary>
    /// Nothing newer has arrived: the buffer ran dry, not a loss. Conceal without moving on, which stretches the
    /// buffer by one frame, and aim deeper from now on.
    /// </summary>
    private void RanDry(Span<short> samples)
    {
        _counts.Underruns++;
        Conceal(samples);
        if (_missesInARow == 1)
        {
            _target.Deepen();
        }

        StopIfSilent();
    }

    /// <summary>The packet due is lost: rebuilt from the next one's FEC copy when that is here, else concealed.</summary>
    private long? RecoverLost(Span<short> samples)
    {
        _counts.Lost++;
        _target.Outcome(lost: true);
        var following = _slots[(_next + 1) % Slots];
        if (following is { } f && f.Sequence == _next + 1 && _decoder.DecodeFec(f.Opus, samples) == samples.Length)
        {
            _counts.Recovered++;
            _missesInARow = 0;
            return f.CapturedAt - (FrameMs * 1000);
        }

        Conceal(samples);
        return null;
    }

    public void Dispose() => _decoder.Dispose();

    /// <summary>The sender paused after the packet just played: stop without counting it against the link, buffer afresh when it speaks.</summary>
    private void EndTalkSpurt()
    {
        _counts.Pauses++;
        _pauseAnnounced = false;
        _playing = false;
        _started = false;
        _missesInARow = 0;
        _target.Restart();
    }

    /// <summary>After 100 ms without a packet the sender has stopped (muted, or gone): buffer afresh when it is back.</summary>
    private void StopIfSilent()
    {
        if (_missesInARow * FrameMs < 100)
        {
            return;
        }

        _playing = false;
        _started = false;
        _missesInARow = 0;
        _target.Restart();

        // The first miss of the run raised the target; a sender that stopped is no reason to aim deeper.
        _target.Undeepen();
    }

    private void Conceal(Span<short> samples)
    {
        _counts.Concealed++;
        _missesInARow++;
        if (_decoder.Conceal(samples) != samples.Length)
        {
            samples.Clear();
        }
    }

    /// <summary>Follows the jitter; trims a backlog above the target, one frame at a time, in silence.</summary>
    private void Adapt(int depth)
    {
        _target.Follow(depth);

        // A backlog of over 40 ms beyond the target is trimmed in silence; one of over 80 ms at once (whatever the
        // frame length: a short frame is no reason to cut a tone for a moment's backlog).
        if ((depth > TargetMs + 40 && Last.Level > 50) || depth > TargetMs + 80)
        {
            _slots[_next % Slots] = null;
            _next++;
            _counts.Trimmed++;
        }
    }

    private sealed record Packet(uint Sequence, long CapturedAt, byte[] Opus, bool Pause);
}

/// <summary>What one jitter buffer counted, under its lock (read without it, a moment stale).</summary>
internal sealed class JitterCounts
{
    public long Received;
    public long Late;
    public long Lost;
    public long Recovered;
    public long Concealed;
    public long Corrupt;
    public long Trimmed;
    public long Underruns;
    public long Pauses;
}

/// <summary>
/// How deep a jitter buffer aims: it follows the arrival jitter (RFC 3550's running estimate of how much the transit
/// time varies from packet to packet) between its bounds, holds 40 ms while 2% or more is lost, deepens at least 20 ms
/// when it runs dry, and comes back down half a frame at a time. Not thread-safe: the buffer calls it under its lock.
/// </summary>
internal sealed class JitterTarget(int startMs, int minMs, int maxMs, int frameMs)
{
    /// <summary>Loss from which the link is poor: the target then holds at least <see cref="PoorLinkMs"/>.</summary>
    public const double PoorLoss = 0.02;

    /// <summary>
    /// The least depth over a poor link: room for the packet after a lost one (whose FEC copy rebuilds it) and for
    /// concealment to bridge a burst, as two 20 ms frames gave before frames were short.
    /// </summary>
    public const int PoorLinkMs = 40;

    private double _jitterMs;
    private double _loss;
    private double _lastTransit = double.NaN;

    /// <summary>The depth aimed at, in milliseconds: at least two of the sender's frames.</summary>
    public int Ms { get; private set; } = Math.Max(startMs, 2 * frameMs);

    /// <summary>The sender's frame length: the steps the target moves in.</summary>
    public int FrameMs
    {
        get => frameMs;
        set
        {
            frameMs = value;
            Ms = Math.Clamp(Math.Max(Ms, 2 * frameMs), minMs, maxMs);
        }
    }

    /// <summary>A packet arrived <paramref name="transitMs"/> after its capture (by the sender's clock).</summary>
    public void Arrived(double transitMs)
    {
        if (!double.IsNaN(_lastTransit))
        {
            _jitterMs += (Math.Abs(transitMs - _lastTransit) - _jitterMs) / 16;
        }

        _lastTransit = transitMs;
    }

    /// <summary>The packet due was played (<paramref name="lost"/> false) or was lost: the loss followed over about 100 packets.</summary>
    public void Outcome(bool lost) => _loss += ((lost ? 1 : 0) - _loss) / 100;

    /// <summary>A new talk spurt: the next transit is not compared with the last one's.</summary>
    public void Restart()
    {
        _lastTransit = double.NaN;
        Ms = Math.Max(Ms, 2 * frameMs);
    }

    /// <summary>The buffer ran dry: aim deeper, by a frame and at least 20 ms (one underrun is evidence enough).</summary>
    public void Deepen() => Ms = Math.Min(maxMs, Ms + Step);

    /// <summary>The sender stopped, which is no reason to aim deeper: take back what its first miss added.</summary>
    public void Undeepen() => Ms = Math.Max(minMs, Ms - Step);

    private int Step => (int)Math.Ceiling(20.0 / frameMs) * frameMs;

    /// <summary>Follows the jitter: up at once, down half a frame at a time while the buffer holds no more than the target.</summary>
    public void Follow(int depth)
    {
        var wanted = (int)Math.Ceiling(((2 * _jitterMs) + frameMs) / frameMs) * frameMs;
        if (_loss >= PoorLoss)
        {
            wanted = Math.Max(wanted, PoorLinkMs);
        }

        wanted = Math.Clamp(wanted, minMs, maxMs);
        if (wanted > Ms)
        {
            Ms = wanted;
        }
        else if (wanted < Ms && depth <= Ms)
        {
            Ms = Math.Max(Ms - (frameMs / 2), Math.Max(wanted, minMs));
        }
    }
}
