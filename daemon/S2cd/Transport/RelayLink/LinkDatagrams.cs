using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Transport.RelayLink;

/// <summary>
/// A relay link's datagram side: the path the relay offers on each connection (tried unless Conference:Udp is
/// false), media sent that way while datagrams answer, what was rejected over all connections, and which way media
/// goes now and why. Its lock is its own; the path is made and disposed outside it.
/// </summary>
internal sealed partial class LinkDatagrams(bool enabled, Action<uint, MediaKind, ReadOnlySequence<byte>> deliver, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private IPEndPoint? _remote;
    private DatagramPath? _path;
    private bool _offered;
    private long _rejectedBefore;

    /// <summary>Datagrams that came to us and did not authenticate, were replayed or malformed, over every connection.</summary>
    public long Rejected
    {
        get
        {
            lock (_lock)
            {
                return _rejectedBefore + (_path?.Rejected ?? 0);
            }
        }
    }

    /// <summary>Which way media goes now (<paramref name="joined"/>: the relay let this connection in), and why not UDP.</summary>
    public MediaPathStatus MediaPath(bool joined)
    {
        lock (_lock)
        {
            return !enabled ? new(MediaPathKind.Tls, "Conference:Udp is false")
                : _path is { Active: true } ? new(MediaPathKind.Udp)
                : _path is { } path ? new(MediaPathKind.Tls, path.Problem)
                : joined && !_offered ? new(MediaPathKind.Tls, "the relay offers no datagrams")
                : new(MediaPathKind.Tls);
        }
    }

    /// <summary>A connection reached the relay at <paramref name="remote"/>: datagrams go to that address and port.</summary>
    public void Connected(IPEndPoint? remote)
    {
        lock (_lock)
        {
            _remote = remote;
        }
    }

    /// <summary>The relay offers a datagram path on <paramref name="connection"/>: try it, unless configured not to.</summary>
    public void Offered(uint token, byte[] key, FrameConnection connection, string relay)
    {
        IPEndPoint? remote;
        lock (_lock)
        {
            _offered = true;
            remote = _remote;
            if (!enabled || remote is null || _path is not null)
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
                deliver,
                active => connection.SendControl(active, static (w, a) => FrameWriter.WriteMediaPath(w, a)),
                time,
                logger);
        }
        catch (SocketException ex)
        {
            // No UDP socket towards the relay (no route, a sandbox without it): media stays on the link.
            LogNoDatagrams(relay, ex.Message);
            return;
        }

        lock (_lock)
        {
            _path = path;
        }
    }

    /// <summary>Sends a media payload as datagrams when the path answers; false when it goes on the link instead (text always does).</summary>
    public bool TrySend(MediaKind kind, ReadOnlySpan<byte> payload, IMediaSealer? sealer, int length)
    {
        if (!MediaKinds.TakesDatagrams(kind))
        {
            return false;
        }

        DatagramPath? path;
        lock (_lock)
        {
            path = _path;
        }

        if (path is not { Active: true })
        {
            return false;
        }

        var sealedPayload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            MediaSealing.Seal(kind, payload, sealer, sealedPayload.AsSpan(0, length));
            return path.TrySend(kind, sealedPayload.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedPayload);
        }
    }

    /// <summary>The connection ended: its path goes (what it rejected stays counted), and a new one waits for a new offer.</summary>
    public async Task EndAsync()
    {
        DatagramPath? path;
        lock (_lock)
        {
            _offered = false;
            path = _path;
            _path = null;
            _rejectedBefore += path?.Rejected ?? 0;
        }

        if (path is not null)
        {
            await path.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = LogEvents.NoDatagrams, Level = LogLevel.Warning, Message = "No UDP to relay {Relay}: {Reason}; media goes over the TLS link")]
    private partial void LogNoDatagrams(string relay, string reason);
}

/// <summary>A media payload into its frame: sealed end to end when there is a sealer, as it is otherwise.</summary>
internal static class MediaSealing
{
    public static void Seal(MediaKind kind, ReadOnlySpan<byte> payload, IMediaSealer? sealer, Span<byte> destination)
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
}
