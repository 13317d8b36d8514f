using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace S2cd.Impair;

/// <summary>What happens to datagrams, each way. Changed at any time through <see cref="LinkImpairer.Udp"/>.</summary>
public sealed record UdpImpairment
{
    /// <summary>Share (0..1) of datagrams lost, each on its own.</summary>
    public double Loss { get; init; }

    /// <summary>When a datagram is lost, how many in a row go with it (1: independent loss).</summary>
    public int BurstLength { get; init; } = 1;

    public TimeSpan Delay { get; init; }

    /// <summary>Each datagram's delay is Delay ± up to Jitter (uniform), so datagrams overtake each other.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Share (0..1) of datagrams sent twice.</summary>
    public double Duplicate { get; init; }

    /// <summary>Every datagram dropped, as a firewall that blocks UDP does.</summary>
    public bool Blocked { get; init; }
}

/// <summary>What happens to the TCP stream, each way.</summary>
public sealed record TcpImpairment
{
    public TimeSpan Delay { get; init; }

    public TimeSpan Jitter { get; init; }

    /// <summary>Share (0..1) of reads that stall the stream, as a lost segment does until TCP retransmits it.</summary>
    public double StallChance { get; init; }

    public TimeSpan Stall { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// Listens on one port for TCP and UDP (as a relay does) and forwards both to a target, impaired. Each UDP client
/// gets its own upstream socket; <see cref="ChangeSourceAddress"/> replaces them, so the target sees every client
/// come from a new address, as a laptop that changes networks does.
/// </summary>
public sealed class LinkImpairer : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Socket _tcp;
    private readonly Socket _udp;
    private readonly ConcurrentDictionary<EndPoint, Socket> _upstream = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _tasks = [];
    private readonly Random _random = new(1122);
    private readonly DelayLine _delayLine = new();
    private int _burstLeft;
    private long _udpForwarded;
    private long _udpToClients;
    private long _udpDropped;

    private LinkImpairer(IPEndPoint target, Socket tcp, Socket udp)
    {
        _target = target;
        _tcp = tcp;
        _udp = udp;
    }

    public int Port => ((IPEndPoint)_tcp.LocalEndPoint!).Port;

    public UdpImpairment Udp { get; set; } = new();

    public TcpImpairment Tcp { get; set; } = new();

    public long UdpForwarded => Interlocked.Read(ref _udpForwarded);

    /// <summary>Sees every datagram a client sends, before any impairment (to copy one for a replay test).</summary>
    public Action<byte[]>? ClientDatagram { get; set; }

    public long UdpDropped => Interlocked.Read(ref _udpDropped);

    /// <summary>Datagrams from the target that reached the impairer (before impairment), on their way to a client.</summary>
    public long UdpFromTarget => Interlocked.Read(ref _udpToClients);

    /// <summary>Starts on 127.0.0.1 at a port free for both TCP and UDP (or <paramref name="port"/>).</summary>
    public static LinkImpairer Start(IPEndPoint target, int port = 0)
    {
        for (var attempt = 0; ; attempt++)
        {
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                udp.Bind(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)tcp.LocalEndPoint!).Port));
                tcp.Listen(64);
            }
            catch (SocketException) when (port == 0 && attempt < 20)
            {
                tcp.Dispose();
                udp.Dispose();
                continue;
            }

            var impairer = new LinkImpairer(target, tcp, udp);
            impairer._tasks.Add(impairer.AcceptAsync());
            impairer._tasks.Add(impairer.ReceiveClientsAsync());
            return impairer;
        }
    }

    /// <summary>From now on every UDP client reaches the target from a new source port.</summary>
    public void ChangeSourceAddress()
    {
        foreach (var (client, socket) in _upstream)
        {
            _upstream.TryRemove(client, out _);
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _tcp.Dispose();
        _udp.Dispose();
        ChangeSourceAddress();
        try
        {
            await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException or TimeoutException)
        {
        }

        _stop.Dispose();
        _delayLine.Dispose();
    }

    /// <summary>Datagrams are received on threads of their own, so a busy thread pool (a test host's) delays none of them.</summary>
    private static Task OnThread(string name, Action loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop();
            }
            finally
            {
                done.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    private Task ReceiveClientsAsync() => OnThread("s2c-impair from clients", () =>
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            EndPoint client = new IPEndPoint(IPAddress.Any, 0);
            int received;
            try
            {
                received = _udp.ReceiveFrom(buffer, SocketFlags.None, ref client);
            }
            catch (SocketException) when (!_stop.IsCancellationRequested)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (!_upstream.TryGetValue(client, out var upstream))
            {
                upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                upstream.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                _upstream[client] = upstream;
                _tasks.Add(ReceiveTargetAsync(client, upstream));
            }

            var datagram = buffer.AsSpan(0, received).ToArray();
            ClientDatagram?.Invoke(datagram);
            Forward(datagram, upstream, _target);
        }
    });

    private Task ReceiveTargetAsync(EndPoint client, Socket upstream) => OnThread("s2c-impair from the target", () =>
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = upstream.Receive(buffer, SocketFlags.None);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _udpToClients);
            Forward(buffer.AsSpan(0, received).ToArray(), _udp, client);
        }
    });

    /// <summary>Sends a datagram on through <paramref name="via"/> as the impairment says: lost, late, twice.</summary>
    private void Forward(byte[] datagram, Socket via, EndPoint to)
    {
        var udp = Udp;
        int copies;
        TimeSpan[] delays;
        lock (_random)
        {
            if (udp.Blocked || Lose(udp))
            {
                Interlocked.Increment(ref _udpDropped);
                return;
            }

            copies = _random.NextDouble() < udp.Duplicate ? 2 : 1;
            delays = new TimeSpan[copies];
            for (var i = 0; i < copies; i++)
            {
                delays[i] = udp.Delay + (udp.Jitter * ((_random.NextDouble() * 2) - 1));
            }
        }

        foreach (var delay in delays)
        {
            Interlocked.Increment(ref _udpForwarded);
            if (delay <= TimeSpan.Zero)
            {
                Send(datagram, via, to);
            }
            else
            {
                _delayLine.Add(delay, () => Send(datagram, via, to));
            }
        }
    }

    private bool Lose(UdpImpairment udp)
    {
        if (_burstLeft > 0)
        {
            _burstLeft--;
            return true;
        }

        if (_random.NextDouble() < udp.Loss)
        {
            _burstLeft = Math.Max(0, udp.BurstLength - 1);
            return true;
        }

        return false;
    }

    private static void Send(byte[] datagram, Socket via, EndPoint to)
    {
        try
        {
            via.SendTo(datagram, SocketFlags.None, to);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _tasks.Add(Task.Run(() => BridgeAsync(client)));
        }
    }

    private async Task BridgeAsync(Socket client)
    {
        using var target = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (client)
        {
            client.NoDelay = true;
            try
            {
                await target.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return;
            }

            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client, target, done);
            var down = PumpAsync(target, client, done);
            await Task.WhenAny(up, down).ConfigureAwait(false);
            await done.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(up, down).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Copies one direction of a TCP stream, each read held back by the delay (and now and then a stall), in order.</summary>
    private async Task PumpAsync(Socket from, Socket to, CancellationTokenSource done)
    {
        var buffer = new byte[65536];
        var releaseNotBefore = DateTime.UtcNow;
        var queue = System.Threading.Channels.Channel.CreateUnbounded<(DateTime At, byte[] Data)>();
        var writer = Task.Run(async () =>
        {
            await foreach (var (at, data) in queue.Reader.ReadAllAsync(done.Token).ConfigureAwait(false))
            {
                var wait = at - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, done.Token).ConfigureAwait(false);
                }

                await to.SendAsync(data, SocketFlags.None, done.Token).ConfigureAwait(false);
            }
        });
        try
        {
            while (!done.IsCancellationRequested)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, done.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                var tcp = Tcp;
                TimeSpan delay;
                lock (_random)
                {
                    delay = tcp.Delay + (tcp.Jitter * ((_random.NextDouble() * 2) - 1));
                    if (_random.NextDouble() < tcp.StallChance)
                    {
                        delay += tcp.Stall;
                    }
                }

                // A stream keeps its order: nothing is released before what came ahead of it.
                var at = DateTime.UtcNow + delay;
                releaseNotBefore = at > releaseNotBefore ? at : releaseNotBefore;
                queue.Writer.TryWrite((releaseNotBefore, buffer.AsSpan(0, read).ToArray()));
            }
        }
        finally
        {
            queue.Writer.TryComplete();
            await done.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
