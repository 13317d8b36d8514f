using System.Buffers;
using Microsoft.Extensions.Options;
using S2cd.Conference;
using S2cd.Platform;

namespace S2cd.Audio;

/// <summary>
/// Everyone else's audio: a jitter buffer per sender, and the mix of all of them, 10 ms at a time, for
/// the playback device. A limiter keeps the sum of loud senders from clipping. Keeps the figures that
/// <c>status</c> shows: loss, concealment, jitter-buffer depth, and the measured mouth-to-ear delay.
/// </summary>
internal sealed class AudioMixer : IAudioSink, IDisposable
{
    private const int DelaySamples = 512;
    private readonly AudioOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, Sender> _senders = [];
    private readonly int[] _sum = new int[AudioOptions.PeriodSamples];
    private readonly double[] _delays = new double[DelaySamples];
    private int _delayCount;
    private double _gain = 1;
    private Func<uint, int> _volume = _ => 100;
    private long _rejected;
    private volatile string? _problem;

    public AudioMixer(IOptions<AudioOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
    }

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Why others' audio cannot be decoded (libopus does not load), in one line, or null while it can.</summary>
    public string? Problem => _problem;

    public void OnAudio(uint sender, ReadOnlySequence<byte> payload)
    {
        if (payload.Length is <= AudioPacketHeader.MinSize or > AudioPacketHeader.Size + AudioPacketHeader.MaxOpusBytes)
        {
            Interlocked.Increment(ref _rejected);
            return;
        }

        Span<byte> bytes = stackalloc byte[(int)payload.Length];
        payload.CopyTo(bytes);
        if (AudioPacketHeader.TryRead(bytes) is not var (header, headerLength))
        {
            Interlocked.Increment(ref _rejected);
            return;
        }

        // A jitter buffer holds an Opus decoder: without libopus, others' audio is dropped and the call goes on.
        if (!NativeDependency.Opus.TryEnsureLoaded(out var missing))
        {
            _problem = missing;
            Interlocked.Increment(ref _rejected);
            return;
        }

        _problem = null;
        Sender? s;
        lock (_lock)
        {
            if (!_senders.TryGetValue(sender, out s))
            {
                s = new Sender(sender, new JitterBuffer(_options.JitterStartMilliseconds, _options.JitterMinMilliseconds, _options.JitterMaxMilliseconds, _time));
                _senders[sender] = s;
            }
        }

        if (header.Noise)
        {
            // A description of the sender's room in a pause: nothing for the jitter buffer.
            s.Room.Described(header.Level, UnixTime.Microseconds(_time));

            return;
        }

        s.Buffer.Insert(header, bytes[headerLength..], UnixTime.Microseconds(_time));
    }

    public void Remove(uint sender)
    {
        Sender? s;
        lock (_lock)
        {
            _senders.Remove(sender, out s);
        }

        s?.Buffer.Dispose();
    }

    public void Clear()
    {
        List<Sender> all;
        lock (_lock)
        {
            all = [.. _senders.Values];
            _senders.Clear();
        }

        foreach (var s in all)
        {
            s.Buffer.Dispose();
        }
    }

    /// <summary>
    /// The next 10 ms of everyone's audio, each at its volume, limited. The mouth-to-ear delay figures are taken here:
    /// from each sample's capture to this moment, when it goes to the device.
    /// </summary>
    public void Mix(Span<short> output)
    {
        Array.Clear(_sum);
        Sender[] senders;
        lock (_lock)
        {
            senders = [.. _senders.Values];
        }

        var now = UnixTime.Microseconds(_time);
        foreach (var s in senders)
        {
            if (s.Available == 0)
            {
                var captured = s.Buffer.Pull(s.Samples, out var length);
                if (captured is null)
                {
                    // Not playing: in a pause, the sender's room as it described it.
                    if (_options.ComfortNoise && s.Room.Active(now))
                    {
                        s.Room.AddTo(_sum, _volume(s.Id));
                    }

                    continue;
                }

                s.Offset = 0;
                s.Available = length;
                s.CapturedAt = captured.Value;
            }

            var chunk = s.Samples.AsSpan(s.Offset, AudioOptions.PeriodSamples);
            var volume = _volume(s.Id);
            if (volume == 100)
            {
                for (var i = 0; i < chunk.Length; i++)
                {
                    _sum[i] += chunk[i];
                }
            }
            else
            {
                for (var i = 0; i < chunk.Length; i++)
                {
                    _sum[i] += chunk[i] * volume / 100;
                }
            }

            if (s.CapturedAt > 0)
            {
                RecordDelay((now - s.CapturedAt - (s.Offset * 1_000_000L / AudioOptions.SampleRate)) / 1000.0);
            }

            s.Offset += AudioOptions.PeriodSamples;
            s.Available -= AudioOptions.PeriodSamples;
        }

        Limit(output);
    }

    /// <summary>
    /// Loudness of a sender's last packet (-dBov) and whether its voice activity detection heard speech in it, if one
    /// arrived in the last 300 ms.
    /// </summary>
    public (byte Level, bool Voice)? Recent(uint sender)
    {
        lock (_lock)
        {
            if (!_senders.TryGetValue(sender, out var s))
            {
                return null;
            }

            var (level, voice, at) = s.Buffer.Last;
            return _time.GetElapsedTime(at) < TimeSpan.FromMilliseconds(300) ? (level, voice) : null;
        }
    }

    /// <summary>Where the mixer asks each sender's playback volume, in percent (0 to 200), every 10 ms.</summary>
    public void UseVolumes(Func<uint, int> volume) => _volume = volume;

    public AudioFigures Figures()
    {
        long received = 0, lost = 0, recovered = 0, concealed = 0, late = 0, corrupt = 0, underruns = 0;
        var depth = 0;
        var playing = 0;
        lock (_lock)
        {
            foreach (var s in _senders.Values)
            {
                received += s.Buffer.Received;
                lost += s.Buffer.Lost;
                recovered += s.Buffer.Recovered;
                concealed += s.Buffer.Concealed;
                underruns += s.Buffer.Underruns;
                late += s.Buffer.Late;
                corrupt += s.Buffer.Corrupt;
                if (s.Buffer.Playing)
                {
                    depth += s.Buffer.TargetMs;
                    playing++;
                }
            }

            var delays = _delays.AsSpan(0, Math.Min(_delayCount, DelaySamples)).ToArray();
            Array.Sort(delays);
            return new AudioFigures(
                received,
                lost,
                recovered,
                concealed,
                underruns,
                late + corrupt + Rejected,
                late,
                playing == 0 ? 0 : depth / playing,
                delays.Length == 0 ? null : delays[delays.Length / 2],
                delays.Length == 0 ? null : delays[(int)(delays.Length * 0.95)]);
        }
    }

    public void Dispose() => Clear();

    private void RecordDelay(double ms)
    {
        lock (_lock)
        {
            _delays[_delayCount++ % DelaySamples] = ms;
        }
    }

    /// <summary>Scales the sum down when it would clip, and lets the gain recover slowly (about 0.5 s to full).</summary>
    private void Limit(Span<short> output)
    {
        var peak = 0;
        foreach (var v in _sum)
        {
            peak = Math.Max(peak, Math.Abs(v));
        }

        if (peak * _gain > 32000)
        {
            _gain = 32000.0 / peak;
        }

        for (var i = 0; i < output.Length; i++)
        {
            output[i] = (short)Math.Clamp((int)(_sum[i] * _gain), short.MinValue, short.MaxValue);
        }

        _gain = Math.Min(1, _gain + 0.02);
    }


    private sealed class Sender(uint id, JitterBuffer buffer)
    {
        public uint Id { get; } = id;

        public JitterBuffer Buffer { get; } = buffer;

        public short[] Samples { get; } = new short[AudioOptions.FrameSamples];

        public int Offset { get; set; }

        public int Available { get; set; }

        public long CapturedAt { get; set; }

        /// <summary>The sender's comfort noise: described on the receiving thread, played on the playback one.</summary>
        public ComfortNoise Room { get; } = new();
    }
}
