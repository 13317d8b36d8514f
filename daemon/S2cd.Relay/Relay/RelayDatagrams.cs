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
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<uint, RelayMember> _members = new();
    private readonly Reassembler _reassembler = new();
    private readonly ConcurrentQueue<uint> _departed = new();
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _receive = Task.CompletedTask;
    private long _received;
    private long _rejected;
    private long _sent;

    private RelayDatagrams(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Datagrams that authenticated and were new.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Datagrams dropped: unknown token, failed authentication, replayed, malformed.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Binds UDP on <paramref name="endpoint"/> (the TLS listener's); null, with a log line, when that fails.</summary>
    public static RelayDatagrams? TryStart(IPEndPoint endpoint, ILogger logger)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endpoint);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            LogNotStarted(logger, endpoint.ToString(), ex.Message);
            return null;
        }

        // Room for bursts of video fragments from several senders while the loop forwards.
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        var datagrams = new RelayDatagrams(socket, logger);
        datagrams._receive = datagrams.ReceiveAsync(datagrams._stop.Token);
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
        _departed.Enqueue(memberId);
    }

    /// <summary>Sends a fragment from <paramref name="sender"/> to <paramref name="receiver"/>'s datagram address.</summary>
    public void SendFragment(RelayMember receiver, uint sender, ReadOnlySpan<byte> fragment)
    {
        Span<byte> plaintext = stackalloc byte[DatagramKey.MaxPlaintextBytes];
        BinaryPrimitives.WriteUInt32BigEndian(plaintext, sender);
        fragment.CopyTo(plaintext[MediaFragment.SenderBytes..]);
        Send(receiver, DatagramType.Media, plaintext[..(MediaFragment.SenderBytes + fragment.Length)]);
    }

    /// <summary>Sends a whole media payload (from a member on the TLS link) to a receiver as datagrams.</summary>
    public void SendPayload(RelayMember receiver, uint sender, MediaKind kind, uint frame, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MediaFragment.MaxPayloadBytes)
        {
            return;
        }

        Span<byte> fragment = stackalloc byte[DatagramKey.MaxPlaintextBytes];
        var count = MediaFragment.Count(payload.Length);
        for (var index = 0; index < count; index++)
        {
            var length = MediaFragment.Write(fragment, kind, frame, index, count, MediaFragment.Chunk(payload, index));
            SendFragment(receiver, sender, fragment[..length]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _receive.ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Send(RelayMember receiver, DatagramType type, ReadOnlySpan<byte> plaintext)
    {
        if (receiver.DatagramAddress is not { } address || receiver.DatagramKey is not { } key)
        {
            return;
        }

        Span<byte> datagram = stackalloc byte[DatagramKey.MaxDatagramBytes];
        var length = key.Seal(type, receiver.DatagramToken, receiver.NextDownSequence(), DatagramKey.Downstream, plaintext, datagram);
        try
        {
            _socket.SendTo(datagram[..length], SocketFlags.None, address);
            Interlocked.Increment(ref _sent);
        }
        catch (SocketException)
        {
            // A full send buffer or an unreachable member: datagrams may be lost, and this one is.
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
    private Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop(cancellationToken);
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

    private void ReceiveLoop(CancellationToken cancellationToken)
    {
        var buffer = new byte[DatagramKey.MaxDatagramBytes + 1];
        var plaintext = new byte[DatagramKey.MaxPlaintextBytes];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException) when (!cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            while (_departed.TryDequeue(out var gone))
            {
                _reassembler.Remove(gone);
            }

            if (!OnDatagram(buffer.AsSpan(0, received), plaintext, from))
            {
                Interlocked.Increment(ref _rejected);
            }
        }
    }

    /// <summary>One datagram: false when it is dropped as not believable.</summary>
    private bool OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> plaintext, SocketAddress from)
    {
        if (datagram.Length > DatagramKey.MaxDatagramBytes
            || !DatagramKey.TryReadToken(datagram, out var token)
            || !_members.TryGetValue(token, out var member)
            || member.DatagramKey is not { } key
            || !key.TryOpen(datagram, DatagramKey.Upstream, out var type, out var sequence, plaintext, out var length)
            || type is not (DatagramType.Media or DatagramType.Keepalive)
            || !member.AcceptUpSequence(sequence))
        {
            return false;
        }

        Interlocked.Increment(ref _received);
        if (member.FollowAddress(from) is { } moved)
        {
            LogMoved(member.Name, member.Id, moved);
        }

        if (type == DatagramType.Keepalive)
        {
            Send(member, DatagramType.KeepaliveAck, []);
            return true;
        }

        return member.OnDatagramMedia(plaintext[..length], this, _reassembler);
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "The relay takes no datagrams on {Endpoint}: {Reason}; media stays on the TLS links")]
    private static partial void LogNotStarted(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Information, Message = "{Name} (#{Id}) sends datagrams from {Address}")]
    private partial void LogMoved(string name, uint id, string address);
}
