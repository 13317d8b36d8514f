namespace S2cd.Hosting;

/// <summary>
/// The daemon's long-running loops report here that they make progress: each beats once per turn, and says
/// when it waits by design (for a session, for a retry). The watchdog asks whether every loop that is not
/// waiting has beaten recently; a loop stuck in a device call, a hung camera or a deadlock stops the beats.
/// </summary>
internal sealed class LoopHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<Loop> _loops = [];

    public Loop Register(string name)
    {
        var loop = new Loop(name, time);
        lock (_lock)
        {
            _loops.Add(loop);
        }

        return loop;
    }

    /// <summary>Null when every loop is waiting or has beaten within <paramref name="staleAfter"/>; otherwise what is wrong.</summary>
    public string? Problem(TimeSpan staleAfter)
    {
        lock (_lock)
        {
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
