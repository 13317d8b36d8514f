using S2cd.Contract;

namespace S2cd.Transport;

/// <summary>
/// Where a link goes: the relay (HOST:PORT) and the session on it; and the relay's certificate fingerprint when the
/// join gave one (<c>join --relay-fingerprint</c>), which then wins over the configured and the pinned one.
/// </summary>
internal sealed record TransportJoin(RelayList Relays, string Session, string? RelayFingerprint = null);
