using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using S2cd.Datagram;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// The relay's UDP side, on the same port number as its TLS listener. Each member gets a token and key over its
/// TLS link; a datagram is believed only when it authenticates under the key its token names and its sequence
/// number is new, and then its source address becomes where that member's datagrams go (so a member behind
/// NAT is answered where it was seen, and one that changes networks is followed). Anything else is dropped and
/// counted, and changes nothing.
/// </summary>
internal sealed partial class RelayDatagrams : IAsyncDisposable
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;
    private const int SolUdp = 17;
    private const int UdpSegment = 103;

    /// <summary>Datagrams per segmented send: 50 of 1,200 bytes stay under the 64 KB an IP packet may hold.</summary>
    private const int SegmentsPerSend = 50;
    private readonly Socket[] _sockets;
    private readonly Loop[] _loops;
    private readonly ConcurrentDictionary<uint, RelayMember> _members = new();
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _receive = Task.CompletedTask;
    private readonly bool _segments;
    private long _received;
    private long _rejected;

    private RelayDatagrams(Socket[] sockets, bool segments, ILogger logger)
    {
        _sockets = sockets;
        _segments = segments;
        _loops = [.. sockets.Select(s => new Loop(s, (receiver, sender, kind, frame, payload) => SendFrame(s, receiver, sender, kind, frame, payload)))];
        _logger = logger;
    }

    /// <summary>Datagrams that authenticated and were new.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Datagrams dropped: unknown token, failed authentication, replayed, malformed.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Binds UDP on <paramref name="endpoint"/> (the TLS listener's, already ours): one socket per core with
    /// SO_REUSEPORT, so the kernel spreads members over as many receive loops (a member's datagrams, from one
    /// address, keep to one loop). Null, with a log line, when that fails.
    /// </summary>
    public static RelayDatagrams? TryStart(IPEndPoint endpoint, ILogger logger)
    {
        var sockets = new List<Socket>();
        var wanted = Math.Clamp(Environment.ProcessorCount, 1, 8);
        try
        {
            for (var i = 0; i < wanted; i++)
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                sockets.Add(socket);
                if (wanted > 1)
                {
                    // Linux's SOL_SOCKET/SO_REUSEPORT, which SocketOptionName does not name.
                    socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
                }

                socket.Bind(endpoint);

                // Room for bursts of video fragments from several senders while the loop forwards.
                socket.ReceiveBufferSize = 4 * 1024 * 1024;
            }
        }
        catch (SocketException ex)
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            LogNotStarted(logger, endpoint.ToString(), ex.Message);
            return null;
        }

        var datagrams = new RelayDatagrams([.. sockets], sockets.All(TrySegment), logger);
        datagrams._receive = Task.WhenAll(datagrams._loops.Select(l => datagrams.ReceiveAsync(l, datagrams._stop.Token)));
        return datagrams;
    }

    /// <summary>A token and key for a member that joined; its datagrams are believed from now on.</summary>
    public (uint Token, byte[] Key) Register(RelayMember member)
    {
        var key = RandomNumberGenerator.GetBytes(DatagramKey.KeyBytes);
        while (true)
        {
            var token = BinaryPrimitives.ReadUInt32BigEndian(RandomNumberGenerator.GetBytes(4));
            if (token != 0 && _members.TryAdd(token, member))
            {
                return (token, key);
            }
        }
    }

    /// <summary>A member left: its token stops working, and what was being put together for it is let go.</summary>
    public void Unregister(uint token, uint memberId)
    {
        _members.TryRemove(token, out _);
        foreach (var loop in _loops)
        {
            loop.Departed.Enqueue(memberId);
        }
    }

    /// <summary>Sends a whole media payload (from a member on the TLS link) to a receiver as datagrams.</summary>
    public void SendPayload(RelayMember receiver, uint sender, MediaKind kind, uint frame, ReadOnlySpan<byte> payload) =>
        SendFrame(_sockets[0], receiver, sender, kind, frame, payload);

    /// <summary>
    /// Has the kernel cut what one send hands it into datagrams of <see cref="DatagramKey.MaxDatagramBytes"/>
    /// (UDP_SEGMENT, Linux 4.18): the fragments of a video frame for one receiver then cost one trip through the
    /// network stack instead of one each. A send no longer than that size is one datagram as before, and every
    /// datagram the relay sends is at most that long, so the option changes nothing else. False where the
    /// kernel does not offer it; the fragments then go one send each.
    /// </summary>
    private static bool TrySegment(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(SolUdp, UdpSegment, BitConverter.GetBytes(DatagramKey.MaxDatagramBytes));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends a frame from <paramref name="sender"/> to <paramref name="receiver"/>'s datagram address as fragments,
    /// each sealed under the receiver's key. Every fragment but the last seals to exactly
    /// <see cref="DatagramKey.MaxDatagramBytes"/>, which is what lets the kernel segment them from one buffer.
    /// </summary>
    private void SendFrame(Socket via, RelayMember receiver, uint sender, MediaKind kind, uint frame, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MediaFragment.MaxPayloadBytes || receiver.Datagrams is not { Address: { } address, Key: var key } path)
        {
            return;
        }

        var batch = _segments ? Math.Min(MediaFragment.Count(payload.Length), SegmentsPerSend) : 1;
        var buffer = ArrayPool<byte>.Shared.Rent(batch * DatagramKey.MaxDatagramBytes);
        Span<byte> plaintext = stackalloc byte[DatagramKey.MaxPlaintextBytes];
        BinaryPrimitives.WriteUInt32BigEndian(plaintext, sender);
        var used = 0;
        var sealedCount = 0;
        foreach (var fragment in MediaFragment.Split(payload, kind, frame, plaintext[MediaFragment.SenderBytes..]))
        {
            var length = key.Seal(
                DatagramType.Media,
                path.Token,
                path.NextDownSequence(),
                DatagramKey.Downstream,
                plaintext[..(MediaFragment.SenderBytes + fragment.Length)],
                buffer.AsSpan(used));
            used += length;
            if (++sealedCount == batch || length < DatagramKey.MaxDatagramBytes)
            {
                SendTo(via, buffer.AsSpan(0, used), address);
                used = sealedCount = 0;
            }
        }

        if (used > 0)
        {
            SendTo(via, buffer.AsSpan(0, used), address);
        }

        ArrayPool<byte>.Shared.Return(buffer);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await _receive.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static void Send(Socket via, RelayMember receiver, DatagramType type, ReadOnlySpan<byte> plaintext)
    {
        if (receiver.Datagrams is not { Address: { } address, Key: var key } path)
        {
            return;
        }

        Span<byte> datagram = stackalloc byte[DatagramKey.MaxDatagramBytes];
        var length = key.Seal(type, path.Token, path.NextDownSequence(), DatagramKey.Downstream, plaintext, datagram);
        SendTo(via, datagram[..length], address);
    }

    private static void SendTo(Socket via, ReadOnlySpan<byte> datagrams, SocketAddress address)
    {
        try
        {
            via.SendTo(datagrams, SocketFlags.None, address);
        }
        catch (SocketException)
        {
            // A full send buffer or an unreachable member: datagrams may be lost, and these are.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// The receive loop, on a thread of its own blocked in recvfrom: a datagram costs one system call, not a trip
    /// through epoll and the thread pool (which made the UDP path dearer per message than TLS). Ends when the socket
    /// is disposed.
    /// </summary>
    private Task ReceiveAsync(Loop loop, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop(loop, cancellationToken);
            }
            finally
            {
                done.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "relay datagrams",
        };
        thread.Start();
        return done.Task;
    }

    private void ReceiveLoop(Loop loop, CancellationToken cancellationToken)
    {
        var buffer = new byte[DatagramKey.MaxDatagramBytes + 1];
        var plaintext = new byte[DatagramKey.MaxPlaintextBytes];
        var from = new SocketAddress(loop.Socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = loop.Socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException) when (!cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            while (loop.Departed.TryDequeue(out var gone))
            {
                loop.Reassembler.Remove(gone);
            }

            try
            {
                if (!OnDatagram(loop, buffer.AsSpan(0, received), plaintext, from))
                {
                    Interlocked.Increment(ref _rejected);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One datagram must not end the loop that carries every member's.
                Interlocked.Increment(ref _rejected);
                LogFailed(ex.Message);
            }
        }
    }

    /// <summary>One datagram: false when it is dropped as not believable.</summary>
    private bool OnDatagram(Loop loop, ReadOnlySpan<byte> datagram, byte[] plaintext, SocketAddress from)
    {
        if (datagram.Length > DatagramKey.MaxDatagramBytes
            || !DatagramKey.TryReadToken(datagram, out var token)
            || !_members.TryGetValue(token, out var member)
            || member.Datagrams is not { Key: var key } path
            || !key.TryOpen(datagram, DatagramKey.Upstream, out var type, out var sequence, plaintext, out var length)
            || type is not (DatagramType.Media or DatagramType.Keepalive)
            || !path.AcceptUpSequence(sequence))
        {
            return false;
        }

        Interlocked.Increment(ref _received);
        if (path.Follow(from) is { } moved)
        {
            LogMoved(member.Name, member.Id, moved);
        }

        if (type == DatagramType.Keepalive)
        {
            Send(loop.Socket, member, DatagramType.KeepaliveAck, []);
            return true;
        }

        return member.OnDatagramMedia(plaintext.AsMemory(0, length), loop.Forward, loop.Reassembler);
    }

    /// <summary>One receive loop: its socket, and the frames it is putting together for members on their TLS link.</summary>
    private sealed class Loop(Socket socket, FrameSender forward)
    {
        public Socket Socket { get; } = socket;

        /// <summary>Passes frames on through this loop's socket (made once, not per datagram).</summary>
        public FrameSender Forward { get; } = forward;

        public Reassembler Reassembler { get; } = new();

        public ConcurrentQueue<uint> Departed { get; } = new();
    }

    [LoggerMessage(EventId = RelayLogEvents.NotStarted, Level = LogLevel.Warning, Message = "The relay takes no datagrams on {Endpoint}: {Reason}; media stays on the TLS links")]
    private static partial void LogNotStarted(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = RelayLogEvents.Failed, Level = LogLevel.Warning, Message = "A datagram could not be forwarded: {Reason}")]
    private partial void LogFailed(string reason);

    [LoggerMessage(EventId = RelayLogEvents.Moved, Level = LogLevel.Information, Message = "{Name} (#{Id}) sends datagrams from {Address}")]
    private partial void LogMoved(string name, uint id, string address);
}
