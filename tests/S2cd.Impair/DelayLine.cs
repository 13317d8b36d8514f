using System.Diagnostics;

namespace S2cd.Impair;

/// <summary>
/// Sends what is given to it when it falls due, from one thread of its own: a delay measured against the clock,
/// not against how busy the thread pool is, so the impairer adds the delay it is told to and no more.
/// </summary>
internal sealed class DelayLine : IDisposable
{
    private readonly PriorityQueue<Action, long> _due = new();
    private readonly object _lock = new();
    private readonly Thread _thread;
    private bool _stopped;

    public DelayLine()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "s2c-impair delay line" };
        _thread.Start();
    }

    public void Add(TimeSpan delay, Action send)
    {
        var at = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        lock (_lock)
        {
            _due.Enqueue(send, at);
            Monitor.Pulse(_lock);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopped = true;
            Monitor.Pulse(_lock);
        }

        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            Action? send = null;
            lock (_lock)
            {
                while (!_stopped && send is null)
                {
                    if (!_due.TryPeek(out _, out var at))
                    {
                        Monitor.Wait(_lock);
                        continue;
                    }

                    var wait = at - Stopwatch.GetTimestamp();
                    if (wait <= 0)
                    {
                        send = _due.Dequeue();
                    }
                    else
                    {
                        Monitor.Wait(_lock, TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                    }
                }

                if (_stopped)
                {
                    return;
                }
            }

            send!();
        }
    }
}
