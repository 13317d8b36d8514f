using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace S2cd.Security;

/// <summary>
/// A member's announcement of its certificate to the others, through the relay. It is signed with the
/// member's identity key over the session, the member id the relay gave it and the certificate's hash, so a
/// relay cannot put another certificate under a member's name without its key. With a session passphrase it
/// also carries a proof that the member knows it: an HMAC, under a key stretched from the passphrase, over the
/// same fields, which the relay (not knowing the passphrase) cannot make for a certificate of its own.
/// </summary>
/// <remarks>
/// Body: <c>u16 n, certificate DER × n, u8 m, proof × m (0 or 32), u16 k, signature × k</c> (RSA-PSS, SHA-256).
/// </remarks>
internal static class Announcement
{
    public const int MaxCertificateBytes = 8192;
    public const int ProofBytes = 32;
    public const int MinKeyBits = 2048;
    public const int MaxKeyBits = 8192;
    private const int PassphraseIterations = 200_000;
    private static readonly byte[] SignatureLabel = "s2cd announce v1"u8.ToArray();
    private static readonly byte[] ProofLabel = "s2cd passphrase proof v1"u8.ToArray();

    /// <summary>
    /// The key a passphrase proof is made with: PBKDF2-SHA256 of the passphrase, salted with the session name,
    /// so that trying passphrases against a proof a relay has seen is slow.
    /// </summary>
    public static byte[] DerivePassphraseKey(string passphrase, string session) =>
        Rfc2898DeriveBytes.Pbkdf2(
            Encoding.UTF8.GetBytes(passphrase),
            Encoding.UTF8.GetBytes("s2cd passphrase v1 " + session),
            PassphraseIterations,
            HashAlgorithmName.SHA256,
            32);

    public static byte[] Create(DaemonIdentity identity, string session, uint memberId, byte[]? passphraseKey)
    {
        var certificate = identity.Certificate.RawData;
        var proof = passphraseKey is null ? [] : Proof(passphraseKey, session, memberId, identity.CertificateHash);
        var signature = identity.Key.SignData(
            SignedBytes(session, memberId, identity.CertificateHash, proof), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        var body = new byte[2 + certificate.Length + 1 + proof.Length + 2 + signature.Length];
        var span = body.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)certificate.Length);
        certificate.CopyTo(span[2..]);
        span = span[(2 + certificate.Length)..];
        span[0] = (byte)proof.Length;
        proof.CopyTo(span[1..]);
        span = span[(1 + proof.Length)..];
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)signature.Length);
        signature.CopyTo(span[2..]);
        return body;
    }

    /// <summary>
    /// Checks an announcement from member <paramref name="memberId"/>. Returns its certificate, or null with
    /// <paramref name="refusal"/> saying why the member is refused.
    /// </summary>
    public static X509Certificate2? Verify(ReadOnlySpan<byte> body, string session, uint memberId, byte[]? passphraseKey, out string? refusal)
    {
        if (!TrySplit(body, out var der, out var proof, out var signature))
        {
            refusal = "its certificate announcement is malformed";
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            refusal = "its certificate cannot be read";
            return null;
        }

        using var key = certificate.GetRSAPublicKey();
        if (key is null || key.KeySize is < MinKeyBits or > MaxKeyBits)
        {
            certificate.Dispose();
            refusal = $"its certificate does not hold an RSA key of {MinKeyBits} to {MaxKeyBits} bits";
            return null;
        }

        var hash = SHA256.HashData(der);
        if (!key.VerifyData(SignedBytes(session, memberId, hash, proof), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss))
        {
            certificate.Dispose();
            refusal = "its announcement is not signed by the certificate it carries (the relay may have swapped it)";
            return null;
        }

        refusal = (passphraseKey is null, proof.IsEmpty) switch
        {
            (true, true) => null,
            (true, false) => "it uses a session passphrase, and you joined without one",
            (false, true) => "it joined without the session passphrase",
            _ => CryptographicOperations.FixedTimeEquals(proof, Proof(passphraseKey!, session, memberId, hash))
                ? null
                : "it does not know the session passphrase",
        };
        if (refusal is not null)
        {
            certificate.Dispose();
            return null;
        }

        return certificate;
    }

    private static bool TrySplit(ReadOnlySpan<byte> body, out ReadOnlySpan<byte> certificate, out ReadOnlySpan<byte> proof, out ReadOnlySpan<byte> signature)
    {
        certificate = proof = signature = default;
        if (body.Length < 2)
        {
            return false;
        }

        var n = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (n == 0 || n > MaxCertificateBytes || body.Length < 2 + n + 1)
        {
            return false;
        }

        certificate = body.Slice(2, n);
        body = body[(2 + n)..];
        var m = body[0];
        if (m is not (0 or ProofBytes) || body.Length < 1 + m + 2)
        {
            return false;
        }

        proof = body.Slice(1, m);
        body = body[(1 + m)..];
        var k = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (k == 0 || k > MaxKeyBits / 8 || body.Length != 2 + k)
        {
            return false;
        }

        signature = body[2..];
        return true;
    }

    private static byte[] Proof(byte[] passphraseKey, string session, uint memberId, ReadOnlySpan<byte> certificateHash) =>
        HMACSHA256.HashData(passphraseKey, Bound(ProofLabel, session, memberId, certificateHash, []));

    private static byte[] SignedBytes(string session, uint memberId, ReadOnlySpan<byte> certificateHash, ReadOnlySpan<byte> proof) =>
        Bound(SignatureLabel, session, memberId, certificateHash, proof);

    private static byte[] Bound(byte[] label, string session, uint memberId, ReadOnlySpan<byte> certificateHash, ReadOnlySpan<byte> proof)
    {
        var name = Encoding.UTF8.GetBytes(session);
        var bytes = new byte[label.Length + 1 + name.Length + 4 + certificateHash.Length + 1 + proof.Length];
        var span = bytes.AsSpan();
        label.CopyTo(span);
        span = span[label.Length..];
        span[0] = (byte)name.Length;
        name.CopyTo(span[1..]);
        span = span[(1 + name.Length)..];
        BinaryPrimitives.WriteUInt32BigEndian(span, memberId);
        certificateHash.CopyTo(span[4..]);
        span = span[(4 + certificateHash.Length)..];
        span[0] = (byte)proof.Length;
        proof.CopyTo(span[1..]);
        return bytes;
    }
}
