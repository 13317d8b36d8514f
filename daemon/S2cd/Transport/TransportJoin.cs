namespace S2cd.Transport;

/// <summary>Where a link goes: the relay (HOST:PORT) and the session on it.</summary>
internal sealed record TransportJoin(string Relay, string Session);
