using S2cd.Wire;

namespace S2cd.Transport;

/// <summary>Seals a media payload straight into the frame a transport sends (end-to-end encryption).</summary>
internal interface IMediaSealer
{
    /// <summary>The sealed size of a payload of <paramref name="plaintextLength"/> bytes.</summary>
    int SealedLength(int plaintextLength);

    /// <summary>Seals <paramref name="plaintext"/> into <paramref name="destination"/> of <see cref="SealedLength"/> bytes.</summary>
    void Seal(MediaKind kind, ReadOnlySpan<byte> plaintext, Span<byte> destination);
}
