namespace S2cd.Transport;

/// <summary>
/// The conference core's one door to the network: a way to reach the other members of a session. The TLS link to
/// a relay (<see cref="RelayLink.TlsRelayTransport"/>) is one; a datagram path or a relay fabric are others. The
/// core never sees sockets: it opens a link per stay in a session, sends through it, and hears back through
/// <see cref="ITransportEvents"/>.
/// </summary>
internal interface IConferenceTransport
{
    /// <summary>
    /// Starts a link that joins <paramref name="join"/>'s session and keeps it joined (reconnecting when it drops)
    /// until the link is disposed or left. Events arrive on <paramref name="events"/>, one at a time.
    /// </summary>
    ITransportLink Open(TransportJoin join, ITransportEvents events);
}
