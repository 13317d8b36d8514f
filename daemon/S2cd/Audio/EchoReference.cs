namespace S2cd.Audio;

/// <summary>
/// The echo canceller's reference: exactly what the daemon wrote to the speaker, placed on one timeline of samples by when
/// each period reaches the speaker (when it was written, plus the playback device's own delay, snd_pcm_delay), and read
/// back for each captured period by when its first sample reached the microphone (when it was read, less the period and
/// the capture device's delay). Each side keeps a running position and moves it to the devices' figure only when that
/// differs by more than a few milliseconds (an xrun, a stall, a device that starts late), so the canceller sees one steady
/// alignment and not the scheduling jitter of two threads. Played and captured may be called from different threads.
/// </summary>
internal sealed class EchoReference
{
    /// <summary>One second of the speaker's samples.</summary>
    public const int Capacity = AudioOptions.SampleRate;

    /// <summary>A device figure this far ahead of the running position moves it (samples went missing: an xrun, a stall).</summary>
    public const int AheadSlack = AudioOptions.SampleRate * 15 / 1000;

    /// <summary>A device figure this far behind the running position moves it back (the device runs slower than assumed).</summary>
    public const int BehindSlack = AudioOptions.SampleRate * 50 / 1000;

    private readonly Lock _lock = new();
    private readonly short[] _ring = new short[Capacity];
    private long _played = long.MinValue;
    private long _end = long.MinValue;
    private long _captured = long.MinValue;

    /// <summary>Times the playback position was moved to the device's figure.</summary>
    public long PlaybackRealigned { get; private set; }

    /// <summary>Times the capture position was moved to the device's figure.</summary>
    public long CaptureRealigned { get; private set; }

    /// <summary>
    /// <paramref name="period"/> was just written to the speaker, at <paramref name="now"/> (in samples on the daemon's
    /// clock) with <paramref name="delay"/> frames queued in the device before it.
    /// </summary>
    public void Played(ReadOnlySpan<short> period, long now, int delay)
    {
        lock (_lock)
        {
            var start = Align(ref _played, now + Math.Max(0, delay), playback: true);
            if (_end != long.MinValue && start > _end)
            {
                // Nothing was played in between (a stall): silence there, not what the ring held a second ago.
                Fill(_end, Math.Min(start - _end, Capacity), ReadOnlySpan<short>.Empty);
            }

            Fill(start, period.Length, period);
            _played = start + period.Length;
            _end = _end == long.MinValue ? _played : Math.Max(_end, _played);
        }
    }

    /// <summary>
    /// The reference for a period that was just read from the microphone, at <paramref name="now"/> with
    /// <paramref name="delay"/> frames still waiting in the device: what the speaker played at the moment each captured
    /// sample was heard; silence where it played nothing (not yet, or over a second ago). Returns where on the timeline
    /// the period's first sample was heard, for <see cref="Read"/>.
    /// </summary>
    public long Captured(Span<short> reference, long now, int delay)
    {
        lock (_lock)
        {
            var start = Align(ref _captured, now - reference.Length - Math.Max(0, delay), playback: false);
            ReadLocked(start, reference);
            _captured = start + reference.Length;
            return start;
        }
    }

    /// <summary>What the speaker played from <paramref name="start"/> on the timeline (silence where it played nothing).</summary>
    public void Read(long start, Span<short> reference)
    {
        lock (_lock)
        {
            ReadLocked(start, reference);
        }
    }

    private void ReadLocked(long start, Span<short> reference)
    {
        for (var i = 0; i < reference.Length; i++)
        {
            var at = start + i;
            reference[i] = _end != long.MinValue && at < _end && at >= _end - Capacity ? _ring[Slot(at)] : (short)0;
        }
    }

    private long Align(ref long position, long measured, bool playback)
    {
        if (position != long.MinValue && measured <= position + AheadSlack && measured >= position - BehindSlack)
        {
            return position;
        }

        if (position != long.MinValue)
        {
            if (playback)
            {
                PlaybackRealigned++;
            }
            else
            {
                CaptureRealigned++;
            }
        }

        position = measured;
        return position;
    }

    private static int Slot(long at) => (int)(((at % Capacity) + Capacity) % Capacity);

    private void Fill(long start, long count, ReadOnlySpan<short> samples)
    {
        for (var i = 0; i < count; i++)
        {
            _ring[Slot(start + i)] = i < samples.Length ? samples[i] : (short)0;
        }
    }
}
