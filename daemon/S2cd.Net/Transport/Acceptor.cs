using System.Net.Sockets;

namespace S2cd.Transport;

/// <summary>
/// Accepts connections on a listening socket and runs each on a task of its own, at most <c>limit</c> at once (one
/// past the limit is closed at once); it counts them, and a stop can wait for them all. The control socket and the
/// relay share it.
/// </summary>
internal sealed class Acceptor(Socket listener, int limit, Func<Socket, CancellationToken, Task> serve)
{
    private readonly HashSet<Task> _running = [];
    private int _count;

    /// <summary>Connections being served now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The tasks of the connections being served now.</summary>
    public Task[] Running()
    {
        lock (_running)
        {
            return [.. _running];
        }
    }

    /// <summary>Accepts until <paramref name="cancellationToken"/> fires or the listener is closed.</summary>
    /// <param name="acceptFailed">Told why an accept failed (the loop goes on).</param>
    /// <param name="turnedAway">Told that a connection past the limit was closed.</param>
    /// <param name="cancellationToken">Stops accepting; also given to every connection's task.</param>
    public async Task RunAsync(Action<string> acceptFailed, Action turnedAway, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                acceptFailed(ex.Message);
                continue;
            }

            if (Interlocked.Increment(ref _count) > limit)
            {
                Interlocked.Decrement(ref _count);
                turnedAway();
                client.Dispose();
                continue;
            }

            var task = serve(client, cancellationToken);
            lock (_running)
            {
                _running.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_running)
                    {
                        _running.Remove(t);
                    }

                    Interlocked.Decrement(ref _count);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
