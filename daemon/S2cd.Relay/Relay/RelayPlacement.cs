namespace S2cd.Relay;

/// <summary>
/// Where a relay runs: on its own (the relay role: it must listen, on all addresses by default) or embedded in a
/// participant daemon (loopback by default; a port taken by another daemon's relay is not an error), and where
/// it keeps its certificate.
/// </summary>
internal sealed record RelayPlacement(bool Standalone, string StateDirectory);
