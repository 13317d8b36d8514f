using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using S2cd.Datagram;
using S2cd.Security;
using S2cd.Wire;

namespace S2cd.Transport.RelayLink;

/// <summary>
/// Media as UDP datagrams to the relay, beside the TLS link that set it up (token and key from the relay). The
/// daemon speaks first, to the address and port the TLS link reached, so NAT mappings open from the inside;
/// keepalives hold them. The path is used while datagrams come back: it turns on at the first answer and off
/// when nothing has been heard for <see cref="SilentAfter"/>, and the TLS link carries media meanwhile.
/// </summary>
internal sealed partial class DatagramPath : IAsyncDisposable
{
    /// <summary>Without a datagram from the relay for this long the path counts as blocked.</summary>
    public static readonly TimeSpan SilentAfter = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan KeepaliveEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly PathSeal _seal;
    private readonly Reassembler _reassembler = new();
    private readonly Action<uint, MediaKind, ReadOnlySequence<byte>> _deliver;
    private readonly Action<bool> _changed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loops;
    private readonly long _started;
    private readonly uint[] _frames = new uint[3];
    private long _lastHeard;
    private long _rejected;
    private volatile bool _active;
    private volatile bool _everHeard;

    public DatagramPath(IPEndPoint relay, uint token, byte[] key, Action<uint, MediaKind, ReadOnlySequence<byte>> deliver, Action<bool> changed, TimeProvider time, ILogger logger)
    {
        _seal = new PathSeal(token, key);
        _deliver = deliver;
        _changed = changed;
        _time = time;
        _logger = logger;
        _started = time.GetTimestamp();
        _socket = new Socket(relay.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Connect(relay);
        _loops = Task.WhenAll(ReceiveAsync(_stop.Token), KeepAliveAsync(_stop.Token));
    }

    /// <summary>Whether media goes this way now.</summary>
    public bool Active => _active;

    /// <summary>Datagrams from the relay's address that did not authenticate, were replayed or malformed.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Why media does not go this way, or null while it does.</summary>
    public string? Problem =>
        _active ? null
        : _everHeard ? $"no datagram from the relay for {SilentAfter.TotalSeconds:0} s (UDP blocked?)"
        : _time.GetElapsedTime(_started) < SilentAfter ? "trying UDP"
        : "no datagram got through (UDP blocked?)";

    /// <summary>Sends a media payload as datagrams (fragments for a large one); false when the path is not in use.</summary>
    public bool TrySend(MediaKind kind, ReadOnlySpan<byte> payload)
    {
        if (!_active || payload.Length > MediaFragment.MaxPayloadBytes)
        {
            return false;
        }

        var frame = Interlocked.Increment(ref _frames[kind == MediaKind.Video ? 1 : 2]);
        Span<byte> plaintext = stackalloc byte[DatagramKey.MaxPlaintextBytes];
        Span<byte> datagram = stackalloc byte[DatagramKey.MaxDatagramBytes];
        foreach (var fragment in MediaFragment.Split(payload, kind, frame, plaintext))
        {
            Send(DatagramType.Media, fragment, datagram);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        // Media threads that still hold this path send on the link from now on.
        _active = false;
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loops.ConfigureAwait(false);
        _seal.Dispose();
        _stop.Dispose();
    }

    private void Send(DatagramType type, ReadOnlySpan<byte> plaintext, Span<byte> datagram)
    {
        try
        {
            var length = _seal.Seal(type, plaintext, datagram);
            _socket.Send(datagram[..length], SocketFlags.None);
        }
        catch (SocketException)
        {
            // Unreachable, refused (an ICMP answer to an earlier datagram), no route: the keepalive sees the silence.
        }
        catch (ObjectDisposedException)
        {
            // The path closed while a media thread was sending on it: that one datagram is lost.
        }
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var datagram = new byte[DatagramKey.HeaderBytes + DatagramKey.TagBytes];
        while (!cancellationToken.IsCancellationRequested)
        {
            Send(DatagramType.Keepalive, [], datagram);
            var heard = Interlocked.Read(ref _lastHeard);
            var silent = heard == 0 || _time.GetElapsedTime(heard) > SilentAfter;
            if (_active && silent)
            {
                _active = false;
                LogSilent(SilentAfter.TotalSeconds);
                _changed(false);
            }

            var wait = _active ? KeepaliveEvery : _everHeard || _time.GetElapsedTime(_started) > SilentAfter ? RetryEvery : ProbeEvery;
            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var buffer = new byte[DatagramKey.MaxDatagramBytes + 1];
        var plaintext = new byte[DatagramKey.MaxPlaintextBytes];
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // An ICMP error for something we sent; the next datagram may arrive.
                continue;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            if (!_seal.TryOpen(buffer.AsSpan(0, received), plaintext, out var type, out var length))
            {
                Interlocked.Increment(ref _rejected);
                continue;
            }

            Interlocked.Exchange(ref _lastHeard, _time.GetTimestamp());
            if (!_active)
            {
                _active = true;
                _everHeard = true;
                LogActive();
                _changed(true);
            }

            try
            {
                if (type == DatagramType.Media && !Deliver(plaintext, length))
                {
                    Interlocked.Increment(ref _rejected);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever one datagram does to the receiving end must not end the path for all that follow.
                Interlocked.Increment(ref _rejected);
                LogDeliveryFailed(ex.Message);
            }
        }
    }

    /// <summary>A media fragment from a sender: handed on once its payload is whole.</summary>
    private bool Deliver(byte[] plaintext, int length)
    {
        var fragment = plaintext.AsMemory(0, length);
        if (length < MediaFragment.SenderBytes
            || !MediaFragment.TryRead(fragment.Span[MediaFragment.SenderBytes..], out var kind, out var frame, out var index, out var count, out _))
        {
            return false;
        }

        var sender = BinaryPrimitives.ReadUInt32BigEndian(fragment.Span);
        const int ChunkAt = MediaFragment.SenderBytes + MediaFragment.HeaderBytes;
        if (_reassembler.TryAdd(sender, kind, frame, index, count, fragment[ChunkAt..], out var whole))
        {
            _deliver(sender, kind, new ReadOnlySequence<byte>(whole));
        }

        return true;
    }

    [LoggerMessage(EventId = LogEvents.DeliveryFailed, Level = LogLevel.Warning, Message = "A datagram from the relay could not be delivered: {Reason}")]
    private partial void LogDeliveryFailed(string reason);

    [LoggerMessage(EventId = LogEvents.Active, Level = LogLevel.Information, Message = "Media goes over UDP to the relay")]
    private partial void LogActive();

    [LoggerMessage(EventId = LogEvents.Silent, Level = LogLevel.Warning, Message = "No datagram from the relay for {Seconds:0} s: media goes over the TLS link until UDP answers again")]
    private partial void LogSilent(double seconds);
}
