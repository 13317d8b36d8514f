namespace S2cd.Contract;

/// <summary>Arguments of <see cref="ControlProtocol.Methods.Join"/>.</summary>
public sealed record JoinRequest
{
    /// <summary>The session name: 1–64 characters of letters, digits, '.', '_' and '-'.</summary>
    public required string Session { get; init; }

    /// <summary>The relay as HOST:PORT, or null for the configured one.</summary>
    public string? Relay { get; init; }

    /// <summary>The display name shown to others, or null for the configured one.</summary>
    public string? Name { get; init; }

    /// <summary>An optional session passphrase.</summary>
    public string? Passphrase { get; init; }

    /// <summary>
    /// The relay's certificate fingerprint (SHA256:…), checked like Conference:RelayFingerprint for this join and
    /// pinned for the relay when nothing is pinned yet; null trusts what is pinned, or the first certificate seen.
    /// </summary>
    public string? RelayFingerprint { get; init; }
}
