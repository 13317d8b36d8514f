using System.Net;
using System.Net.Sockets;

namespace S2cd.Transport;

/// <summary>
/// The one skeleton of every listener of the daemon (the relay's TCP port, the control socket): listens on a bound
/// socket, accepts and runs each connection on a task of its own, at most <c>limit</c> at once (one past the limit is
/// closed at once), counts them, and on stop closes the socket and waits for the connections to end.
/// </summary>
internal sealed class Listener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly int _limit;
    private readonly Func<Socket, CancellationToken, Task> _serve;
    private readonly HashSet<Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private int _count;

    private Listener(Socket socket, int limit, Func<Socket, CancellationToken, Task> serve, Action<string> acceptFailed, Action turnedAway)
    {
        _socket = socket;
        _limit = limit;
        _serve = serve;
        LocalEndPoint = socket.LocalEndPoint!;
        _loop = AcceptAsync(acceptFailed, turnedAway, _stopping.Token);
    }

    /// <summary>Where it listens.</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Connections being served now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether <see cref="StopAsync"/> has begun.</summary>
    public bool Stopping => _stopping.IsCancellationRequested;

    /// <summary>
    /// Listens on <paramref name="bound"/> (bound by the caller, who may set its mode first) and serves each connection
    /// with <paramref name="serve"/>, which is given a token that fires at stop.
    /// </summary>
    /// <param name="acceptFailed">Told why an accept failed (the loop goes on).</param>
    /// <param name="turnedAway">Told that a connection past the limit was closed.</param>
    public static Listener Start(Socket bound, int backlog, int limit, Func<Socket, CancellationToken, Task> serve, Action<string> acceptFailed, Action turnedAway)
    {
        bound.Listen(backlog);
        return new Listener(bound, limit, serve, acceptFailed, turnedAway);
    }

    /// <summary>Stops accepting, closes the socket, and waits (until <paramref name="cancellationToken"/>) for the connections being served.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loop.ConfigureAwait(false);
        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(Action<string> acceptFailed, Action turnedAway, CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
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

            if (Interlocked.Increment(ref _count) > _limit)
            {
                Interlocked.Decrement(ref _count);
                turnedAway();
                client.Dispose();
                continue;
            }

            var task = _serve(client, cancellationToken);
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
