using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using S2cd.Wire;

namespace S2cd.Tests.Support;

/// <summary>
/// A hostile relay for the end-to-end tests: it sits between daemons and a real relay on loopback (plain TCP,
/// so it sees every byte the relay sees), passes whole frames both ways, records them, and lets a test change,
/// drop, repeat or inject what the relay sends a daemon. It has no media key: whatever it does to media must
/// be caught by the daemons.
/// </summary>
internal sealed class InterceptingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Link> _links = [];
    private readonly Task _accepting;

    private InterceptingRelay(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every frame that crossed, both ways, whole (length prefix included).</summary>
    public ConcurrentQueue<byte[]> Recorded { get; } = new();

    /// <summary>
    /// Called with each frame the relay sends to a daemon; returns what the daemon gets instead (the frame itself
    /// to pass it on). Runs on that link's pump, one frame at a time.
    /// </summary>
    public Func<Link, byte[], IEnumerable<byte[]>>? ToDaemon { get; set; }

    public static InterceptingRelay Start(int upstreamPort) => new(upstreamPort);

    /// <summary>The link of the daemon that said hello with <paramref name="name"/>, once it has been welcomed.</summary>
    public Link? Find(string name) => _links.FirstOrDefault(l => l.Name == name && l.Id != 0);

    public static FrameType TypeOf(byte[] frame) => (FrameType)frame[4];

    /// <summary>The sender id of a MediaForward or SignalForward frame.</summary>
    public static uint SenderOf(byte[] frame) => BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(5));

    /// <summary>A copy of a MediaForward or SignalForward frame that claims to come from <paramref name="sender"/>.</summary>
    public static byte[] WithSender(byte[] frame, uint sender)
    {
        var copy = (byte[])frame.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(5), sender);
        return copy;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var link in _links)
        {
            link.Close();
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var daemon = await _listener.AcceptSocketAsync(_stop.Token);
            daemon.NoDelay = true;
            var relay = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await relay.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            var link = new Link(this, daemon, relay);
            _links.Add(link);
            link.Start(_stop.Token);
        }
    }

    /// <summary>One daemon's connection through the middle.</summary>
    internal sealed class Link(InterceptingRelay owner, Socket daemon, Socket relay)
    {
        private readonly NetworkStream _daemon = new(daemon, ownsSocket: true);
        private readonly NetworkStream _relay = new(relay, ownsSocket: true);
        private readonly SemaphoreSlim _toDaemon = new(1, 1);

        /// <summary>The display name from the daemon's Hello.</summary>
        public string? Name { get; private set; }

        /// <summary>The member id from the relay's Welcome.</summary>
        public uint Id { get; private set; }

        /// <summary>Sends <paramref name="frame"/> to the daemon as if the relay had.</summary>
        public async Task InjectAsync(byte[] frame)
        {
            await _toDaemon.WaitAsync();
            try
            {
                await _daemon.WriteAsync(frame);
            }
            finally
            {
                _toDaemon.Release();
            }
        }

        public void Start(CancellationToken cancellationToken)
        {
            _ = PumpAsync(_daemon, _relay, fromRelay: false, cancellationToken);
            _ = PumpAsync(_relay, _daemon, fromRelay: true, cancellationToken);
        }

        public void Close()
        {
            _daemon.Dispose();
            _relay.Dispose();
        }

        private async Task PumpAsync(NetworkStream from, NetworkStream to, bool fromRelay, CancellationToken cancellationToken)
        {
            try
            {
                var prefix = new byte[4];
                while (true)
                {
                    await from.ReadExactlyAsync(prefix, cancellationToken);
                    var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
                    var frame = new byte[4 + length];
                    prefix.CopyTo(frame, 0);
                    await from.ReadExactlyAsync(frame.AsMemory(4), cancellationToken);
                    owner.Recorded.Enqueue(frame);
                    if (!fromRelay)
                    {
                        if (TypeOf(frame) == FrameType.Hello)
                        {
                            // u16 version, u8 flags, str8 session, str8 name
                            var at = 4 + 1 + 2 + 1;
                            at += 1 + frame[at];
                            Name = Encoding.UTF8.GetString(frame, at + 1, frame[at]);
                        }

                        await to.WriteAsync(frame, cancellationToken);
                        continue;
                    }

                    if (TypeOf(frame) == FrameType.Welcome)
                    {
                        Id = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4 + 1 + 2));
                    }

                    var output = owner.ToDaemon?.Invoke(this, frame) ?? [frame];
                    await _toDaemon.WaitAsync(cancellationToken);
                    try
                    {
                        foreach (var piece in output)
                        {
                            await to.WriteAsync(piece, cancellationToken);
                        }
                    }
                    finally
                    {
                        _toDaemon.Release();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or EndOfStreamException or SocketException)
            {
                Close();
            }
        }
    }
}
