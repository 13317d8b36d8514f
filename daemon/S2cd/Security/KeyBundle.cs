using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace S2cd.Security;

/// <summary>
/// A sender's media key as it travels to the other members: the secret in a CMS EnvelopedCms wrapped to each
/// member's certificate (RSA-OAEP with SHA-256), inside a CMS SignedCms signed by the sender's identity over
/// the session, the sender's member id, the key id and the list of members it is for. The relay can neither
/// read the key nor inject or swap one: a receiver checks the signature against the certificate the sender
/// announced, that the bundle is for this session and names it, and that the key id is newer than the last.
/// </summary>
/// <remarks>
/// Signed content: <c>"s2cd keys v1", str8 session, u32 sender, u32 key id, u16 n, (u32 member id, 32-byte
/// certificate SHA-256) × n, u32 m, EnvelopedCms DER × m</c>.
/// </remarks>
internal static class KeyBundle
{
    public const int MaxMembers = 256;
    private static readonly byte[] Magic = "s2cd keys v1"u8.ToArray();

    public readonly record struct Recipient(uint MemberId, X509Certificate2 Certificate);

    public static byte[] Create(DaemonIdentity sender, string session, uint senderId, uint keyId, ReadOnlySpan<byte> secret, IReadOnlyList<Recipient> recipients)
    {
        var envelope = new EnvelopedCms(new ContentInfo(secret.ToArray()), new AlgorithmIdentifier(new Oid("2.16.840.1.101.3.4.1.42"))); // AES-256-CBC
        var to = new CmsRecipientCollection();
        foreach (var recipient in recipients)
        {
            to.Add(new CmsRecipient(SubjectIdentifierType.SubjectKeyIdentifier, recipient.Certificate, RSAEncryptionPadding.OaepSHA256));
        }

        envelope.Encrypt(to);
        var wrapped = envelope.Encode();
        var name = Encoding.UTF8.GetBytes(session);
        var content = new byte[Magic.Length + 1 + name.Length + 4 + 4 + 2 + (recipients.Count * 36) + 4 + wrapped.Length];
        var span = content.AsSpan();
        Magic.CopyTo(span);
        span = span[Magic.Length..];
        span[0] = (byte)name.Length;
        name.CopyTo(span[1..]);
        span = span[(1 + name.Length)..];
        BinaryPrimitives.WriteUInt32BigEndian(span, senderId);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], keyId);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], (ushort)recipients.Count);
        span = span[10..];
        foreach (var recipient in recipients)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, recipient.MemberId);
            SHA256.HashData(recipient.Certificate.RawData, span[4..]);
            span = span[36..];
        }

        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)wrapped.Length);
        wrapped.CopyTo(span[4..]);

        var signed = new SignedCms(new ContentInfo(content), detached: false);
        signed.ComputeSignature(new CmsSigner(SubjectIdentifierType.SubjectKeyIdentifier, sender.Certificate, sender.Key)
        {
            IncludeOption = X509IncludeOption.None,
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"), // SHA-256
            SignaturePadding = RSASignaturePadding.Pss,
        });
        return signed.Encode();
    }

    /// <summary>What became of a bundle that was looked at.</summary>
    public enum Outcome
    {
        /// <summary>A key for us: <c>keyId</c> and <c>secret</c> are set.</summary>
        Accepted,

        /// <summary>A good bundle that is not for us (we joined after it was made, or the sender has not seen us yet).</summary>
        NotForUs,

        /// <summary>Forged, swapped, replayed, for another session or sender, or malformed: counted and dropped.</summary>
        Rejected,
    }

    /// <summary>
    /// Checks a bundle from member <paramref name="senderId"/> and unwraps our key from it. <paramref name="mayUnwrap"/>
    /// is asked just before the unwrap (the costly part), after every check has passed.
    /// </summary>
    public static Outcome Open(
        ReadOnlySpan<byte> bundle,
        string session,
        uint senderId,
        X509Certificate2 senderCertificate,
        uint newerThan,
        DaemonIdentity self,
        uint selfId,
        out uint keyId,
        out byte[]? secret,
        out string? problem,
        Func<bool>? mayUnwrap = null)
    {
        keyId = 0;
        secret = null;
        var (content, unsigned) = Verify(bundle, senderCertificate);
        if (content is null)
        {
            problem = unsigned;
            return Outcome.Rejected;
        }

        if (!TryParse(content, out var bundleSession, out var bundleSender, out keyId, out var members, out var wrapped))
        {
            problem = "the key bundle is malformed";
            return Outcome.Rejected;
        }

        problem = bundleSession != session || bundleSender != senderId ? $"the key bundle was made for member {bundleSender} of session {bundleSession}"
            : keyId <= newerThan ? $"the key bundle holds key {keyId}, not newer than key {newerThan} (replayed)"
            : null;
        if (problem is not null)
        {
            return Outcome.Rejected;
        }

        if (!NamesUs(members, self, selfId))
        {
            return Outcome.NotForUs;
        }

        if (mayUnwrap is not null && !mayUnwrap())
        {
            problem = "its sender sends more key bundles than anyone needs; this one is not unwrapped";
            return Outcome.Rejected;
        }

        secret = Unwrap(wrapped, self);
        problem = secret is null ? "the key bundle names us but holds no key we can unwrap" : null;
        return secret is null ? Outcome.Rejected : Outcome.Accepted;
    }

    /// <summary>
    /// The signed content, when the bundle is signed once, carries no certificates, and the signature checks
    /// against the certificate the sending member announced (only it can); else null and why.
    /// </summary>
    private static (byte[]? Content, string? Problem) Verify(ReadOnlySpan<byte> bundle, X509Certificate2 senderCertificate)
    {
        var signed = new SignedCms();
        try
        {
            signed.Decode(bundle);
            if (signed.Detached || signed.SignerInfos.Count != 1 || signed.Certificates.Count != 0)
            {
                return (null, "the key bundle is not signed once, by its sender alone");
            }

            signed.CheckSignature(new X509Certificate2Collection(senderCertificate), verifySignatureOnly: true);
            return (signed.ContentInfo.Content, null);
        }
        catch (CryptographicException)
        {
            return (null, "the key bundle is not signed by its sender's certificate");
        }
    }

    /// <summary>Whether the bundle's member list holds our id with our certificate's hash.</summary>
    private static bool NamesUs(ReadOnlySpan<byte> members, DaemonIdentity self, uint selfId)
    {
        var forUs = false;
        for (var i = 0; i < members.Length; i += 36)
        {
            if (BinaryPrimitives.ReadUInt32BigEndian(members[i..]) == selfId
                && members.Slice(i + 4, 32).SequenceEqual(self.CertificateHash))
            {
                forUs = true;
            }
        }

        return forUs;
    }

    /// <summary>Our copy of the key secret, unwrapped with our identity's key; null when there is none that opens.</summary>
    private static byte[]? Unwrap(ReadOnlySpan<byte> wrapped, DaemonIdentity self)
    {
        try
        {
            var envelope = new EnvelopedCms();
            envelope.Decode(wrapped);
            var ours = self.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier;
            foreach (var recipient in envelope.RecipientInfos)
            {
                if (recipient.RecipientIdentifier.Type == SubjectIdentifierType.SubjectKeyIdentifier
                    && string.Equals(recipient.RecipientIdentifier.Value as string, ours, StringComparison.OrdinalIgnoreCase))
                {
                    envelope.Decrypt(recipient, self.Key);
                    var key = envelope.ContentInfo.Content;
                    if (key.Length == MediaKey.SecretBytes)
                    {
                        return key;
                    }
                }
            }
        }
        catch (CryptographicException)
        {
        }

        return null;
    }

    private static bool TryParse(ReadOnlySpan<byte> content, out string session, out uint sender, out uint keyId, out ReadOnlySpan<byte> members, out ReadOnlySpan<byte> wrapped)
    {
        session = string.Empty;
        sender = keyId = 0;
        members = wrapped = default;
        if (content.Length < Magic.Length + 1 || !content[..Magic.Length].SequenceEqual(Magic))
        {
            return false;
        }

        content = content[Magic.Length..];
        var n = content[0];
        if (content.Length < 1 + n + 10)
        {
            return false;
        }

        try
        {
            session = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content.Slice(1, n));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        content = content[(1 + n)..];
        sender = BinaryPrimitives.ReadUInt32BigEndian(content);
        keyId = BinaryPrimitives.ReadUInt32BigEndian(content[4..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(content[8..]);
        content = content[10..];
        if (count > MaxMembers || content.Length < (count * 36) + 4)
        {
            return false;
        }

        members = content[..(count * 36)];
        content = content[(count * 36)..];
        var length = BinaryPrimitives.ReadUInt32BigEndian(content);
        if (content.Length != 4 + length)
        {
            return false;
        }

        wrapped = content[4..];
        return true;
    }
}
