namespace S2cd.Relay;

/// <summary>
/// How loaded the relay is, and what gives way when it is past its capacity. Twice a second it takes the
/// relay's CPU time over the last second as a share of all the machine's cores, and how late its own timer
/// fired (a thread pool too busy to run it on time is overload whatever the CPU says). Past
/// <see cref="RelayOptions.MaxLoad"/> (or 100 ms late twice running) the relay is busy: new joins are refused, and video is
/// thinned one step per sample (every 2nd frame of each sender, every 4th, … none), so that audio and the
/// heartbeats of the calls already running keep their share. Below MaxLoad − 10 points, and on time, video
/// comes back one step per sample. Connections are never closed for load.
/// </summary>
internal sealed class RelayOverload : IDisposable
{
    /// <summary>Seconds between samples.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>A timer this late says the relay cannot keep up, whatever its CPU.</summary>
    public static readonly TimeSpan LateLimit = TimeSpan.FromMilliseconds(100);

    /// <summary>The last step: no video at all.</summary>
    public const int NoVideo = 5;

    private readonly TimeProvider _time;
    private readonly Func<TimeSpan> _cpu;
    private readonly double _maxLoad;
    private readonly double? _testLoad;
    private readonly Lock _lock = new();
    private readonly (long At, TimeSpan Cpu)[] _window = new (long, TimeSpan)[3];
    private ITimer? _timer;
    private long _expected;
    private int _samples;
    private volatile int _step;
    private volatile bool _busy;
    private double _load;
    private long _shed;
    private bool _wasLate;

    public RelayOverload(double maxLoad, TimeProvider time, Func<TimeSpan>? cpu = null, double? testLoad = null)
    {
        _maxLoad = maxLoad;
        _time = time;
        _cpu = cpu ?? (() => Environment.CpuUsage.TotalTime);
        _testLoad = testLoad;
    }

    /// <summary>Past capacity: new joins are refused.</summary>
    public bool Busy => _busy;

    /// <summary>The relay's CPU over the last second, in percent of all cores.</summary>
    public double Load
    {
        get
        {
            lock (_lock)
            {
                return _load;
            }
        }
    }

    /// <summary>How far video is thinned: 0 all of it, n one frame in 2^n of each sender, <see cref="NoVideo"/> none.</summary>
    public int Step => _step;

    /// <summary>Video frames not forwarded because of load.</summary>
    public long VideoShed => Interlocked.Read(ref _shed);

    /// <summary>Why a join is refused while busy.</summary>
    public string BusyReason
    {
        get
        {
            var load = Load;
            return FormattableString.Invariant($"relay busy: at {load:0}% of its CPU, past its limit of {_maxLoad:0}% (Relay:MaxLoad); try another relay or later");
        }
    }

    public void Start()
    {
        Prime();
        if (_testLoad is not null)
        {
            // A load given by a test holds from the start: nothing to wait for (a fast start answered status before
            // the first sample and said the relay was not busy).
            Sample();
        }

        _timer = _time.CreateTimer(_ => Sample(), null, Interval, Interval);
    }

    /// <summary>The first reading, from which the first sample's load is taken (tests then call <see cref="Sample"/>).</summary>
    internal void Prime()
    {
        _window[0] = (_time.GetTimestamp(), _cpu());
        _samples = 1;
        _expected = _time.GetTimestamp() + (long)(Interval.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>
    /// Whether a video frame from a sender goes on: <paramref name="counter"/> is the sender's count of video frames
    /// (each call moves it on).
    /// </summary>
    public bool TakeVideo(ref uint counter)
    {
        var step = _step;
        var n = counter++;
        if (step == 0 || (step < NoVideo && (n & ((1u << step) - 1)) == 0))
        {
            return true;
        }

        Interlocked.Increment(ref _shed);
        return false;
    }

    /// <summary>One sample: the load, whether the relay is busy, and one step of video thinning up or down.</summary>
    internal void Sample()
    {
        var now = _time.GetTimestamp();
        var late = _time.GetElapsedTime(_expected, now);
        _expected = now + (long)(Interval.TotalSeconds * _time.TimestampFrequency);
        var cpu = _cpu();
        double load;
        lock (_lock)
        {
            // The oldest sample of the last three: about a second of CPU time.
            var oldest = _window[_samples < _window.Length ? 0 : _samples % _window.Length];
            _window[_samples % _window.Length] = (now, cpu);
            _samples++;
            var wall = _time.GetElapsedTime(oldest.At, now).TotalSeconds;
            _load = _testLoad ?? (wall > 0 ? 100 * (cpu - oldest.Cpu).TotalSeconds / (wall * Environment.ProcessorCount) : 0);
            load = _load;
        }

        // Late twice running: one late tick is a pause (a collection, a burst of joins), not overload.
        var lateNow = _testLoad is null && late > LateLimit;
        var lateAgain = lateNow && _wasLate;
        _wasLate = lateNow;
        var over = load >= _maxLoad || lateAgain;
        var under = load < _maxLoad - 10 && !lateNow;
        _busy = over || (_busy && !under);
        _step = over ? Math.Min(NoVideo, _step + 1) : under ? Math.Max(0, _step - 1) : _step;
    }

    public void Dispose() => _timer?.Dispose();
}
