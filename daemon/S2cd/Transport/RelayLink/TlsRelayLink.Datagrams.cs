using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Transport.RelayLink;

/// <summary>The link's datagram path: set up from the relay's offer, used for media while datagrams answer.</summary>
internal sealed partial class TlsRelayLink
{
    public MediaPathStatus MediaPath
    {
        get
        {
            lock (_lock)
            {
                return !_options.Udp ? new(MediaPathKind.Tls, "Conference:Udp is false")
                    : _datagrams is { Active: true } ? new(MediaPathKind.Udp)
                    : _datagrams is { } path ? new(MediaPathKind.Tls, path.Problem)
                    : _joined && !_offered ? new(MediaPathKind.Tls, "the relay offers no datagrams")
                    : new(MediaPathKind.Tls);
            }
        }
    }

    public long DatagramsRejected
    {
        get
        {
            lock (_lock)
            {
                return _rejectedBefore + (_datagrams?.Rejected ?? 0);
            }
        }
    }

    private static bool SendDatagrams(DatagramPath datagrams, MediaKind kind, ReadOnlySpan<byte> payload, IMediaSealer? sealer, int length)
    {
        var sealedPayload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Seal(kind, payload, sealer, sealedPayload.AsSpan(0, length));
            return datagrams.TrySend(kind, sealedPayload.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedPayload);
        }
    }

    private static void Seal(MediaKind kind, ReadOnlySpan<byte> payload, IMediaSealer? sealer, Span<byte> destination)
    {
        if (sealer is null)
        {
            payload.CopyTo(destination);
        }
        else
        {
            sealer.Seal(kind, payload, destination);
        }
    }

    /// <summary>Media from the link and from datagrams reaches the core one call at a time, as the events interface promises.</summary>
    private void DeliverMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        lock (_deliver)
        {
            _events.OnMedia(sender, kind, payload);
        }
    }

    /// <summary>The relay offers a datagram path for this connection: try it, unless configured not to.</summary>
    private void StartDatagrams(uint token, byte[] key)
    {
        FrameConnection? connection;
        IPEndPoint? remote;
        lock (_lock)
        {
            _offered = true;
            connection = _connection;
            remote = _remote;
            if (!_options.Udp || remote is null || _datagrams is not null || connection is null)
            {
                return;
            }
        }

        DatagramPath path;
        try
        {
            path = new DatagramPath(
                remote,
                token,
                key,
                DeliverMedia,
                active => connection.SendControl(active, static (w, a) => FrameWriter.WriteMediaPath(w, a)),
                _time,
                _logger);
        }
        catch (SocketException ex)
        {
            // No UDP socket towards the relay (no route, a sandbox without it): media stays on this link.
            LogNoDatagrams(Relay, ex.Message);
            return;
        }

        lock (_lock)
        {
            _datagrams = path;
        }
    }

    [LoggerMessage(EventId = LogEvents.NoDatagrams, Level = LogLevel.Warning, Message = "No UDP to relay {Relay}: {Reason}; media goes over the TLS link")]
    private partial void LogNoDatagrams(string relay, string reason);
}
