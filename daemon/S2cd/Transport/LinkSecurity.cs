namespace S2cd.Transport;

/// <summary>How a link to the relay is protected: TLS with the relay's certificate fingerprint, or not at all.</summary>
internal sealed record LinkSecurity(bool Tls, string? CertificateFingerprint)
{
    public static LinkSecurity Plain { get; } = new(false, null);
}
