using System.Buffers;
using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Transport.RelayLink;

/// <summary>The link's datagram side (<see cref="LinkDatagrams"/>), and media from both ways into the core.</summary>
internal sealed partial class TlsRelayLink
{
    public MediaPathStatus MediaPath => _datagrams.MediaPath(JoinedConnection() is not null);

    public long DatagramsRejected => _datagrams.Rejected;

    /// <summary>Media from the link and from datagrams reaches the core one call at a time, as the events interface promises.</summary>
    private void DeliverMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        lock (_deliver)
        {
            _events.OnMedia(sender, kind, payload);
        }
    }

    /// <summary>The relay offers a datagram path for this connection.</summary>
    private void OfferedDatagrams(uint token, byte[] key)
    {
        FrameConnection? connection;
        lock (_lock)
        {
            connection = _connection;
        }

        if (connection is not null)
        {
            _datagrams.Offered(token, key, connection, Relay);
        }
    }
}
