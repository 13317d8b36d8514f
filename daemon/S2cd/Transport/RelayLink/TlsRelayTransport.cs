using Microsoft.Extensions.Logging;
using S2cd.Security;

namespace S2cd.Transport.RelayLink;

/// <summary>
/// The link to a relay over TCP, TLS 1.3 by default with the relay's certificate pinned (configured, or at first
/// use in known_relays), heartbeats, and reconnection with backoff. Control frames ride it; media too, unless
/// datagrams beside it get through (DatagramPath).
/// </summary>
internal sealed class TlsRelayTransport(RelayLinkOptions options, KnownRelays knownRelays, TimeProvider time, ILogger<TlsRelayTransport> logger)
    : IConferenceTransport
{
    public ITransportLink Open(TransportJoin join, ITransportEvents events) =>
        new TlsRelayLink(join, options, knownRelays, events, time, logger);
}
