namespace S2cd.Platform;

/// <summary>
/// The daemon's long-running loops report here that they make progress: each beats once per turn, and says
/// when it waits by design (for a session, for a retry). The watchdog asks whether every loop that is not
/// waiting has beaten recently; a loop stuck in a device call, a hung camera or a deadlock stops the beats.
/// </summary>
internal sealed class LoopHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<Loop> _loops = [];
    private readonly Dictionary<string, (string Reason, long Since)> _down = new(StringComparer.Ordinal);

    public Loop Register(string name)
    {
        var loop = new Loop(name, time);
        lock (_lock)
        {
            _loops.Add(loop);
        }

        return loop;
    }

    /// <summary>Service <paramref name="name"/> stopped with an unexpected error and waits to be restarted.</summary>
    public void Down(string name, string reason)
    {
        lock (_lock)
        {
            _down[name] = (reason, _down.TryGetValue(name, out var was) ? was.Since : time.GetTimestamp());
        }
    }

    /// <summary>Service <paramref name="name"/> runs (again).</summary>
    public void Up(string name)
    {
        lock (_lock)
        {
            _down.Remove(name);
        }
    }

    /// <summary>The services that are down now, each with why.</summary>
    public IReadOnlyList<(string Service, string Reason)> DownServices()
    {
        lock (_lock)
        {
            return [.. _down.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, d.Value.Reason))];
        }
    }

    /// <summary>
    /// Null when every loop is waiting or has beaten within <paramref name="staleAfter"/> and no service has been down
    /// for longer than that (one that crashes and restarts at once stays healthy); otherwise what is wrong.
    /// </summary>
    public string? Problem(TimeSpan staleAfter)
    {
        lock (_lock)
        {
            foreach (var (name, (reason, since)) in _down)
            {
                var down = time.GetElapsedTime(since);
                if (down > staleAfter)
                {
                    return $"the {name} service has been down for {down.TotalSeconds:0} s: {reason}";
                }
            }

            foreach (var loop in _loops)
            {
                if (loop.Waiting)
                {
                    continue;
                }

                var since = time.GetElapsedTime(loop.LastBeat);
                if (since > staleAfter)
                {
                    return $"the {loop.Name} loop has made no progress for {since.TotalSeconds:0} s";
                }
            }

            return null;
        }
    }

    /// <summary>One loop's beats.</summary>
    internal sealed class Loop(string name, TimeProvider time)
    {
        private long _lastBeat = time.GetTimestamp();
        private int _waiting;

        public string Name { get; } = name;

        public long LastBeat => Interlocked.Read(ref _lastBeat);

        public bool Waiting => Volatile.Read(ref _waiting) != 0;

        /// <summary>A turn of the loop is done (or about to start something that should not take long).</summary>
        public void Beat()
        {
            Interlocked.Exchange(ref _lastBeat, time.GetTimestamp());
            Volatile.Write(ref _waiting, 0);
        }

        /// <summary>The loop waits by design (no session, a retry delay) until its next <see cref="Beat"/>.</summary>
        public void Wait() => Volatile.Write(ref _waiting, 1);
    }
}
