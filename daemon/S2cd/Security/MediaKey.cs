using System.Buffers.Binary;
using System.Security.Cryptography;
using S2cd.Wire;

namespace S2cd.Security;

/// <summary>
/// One sender's media key, in the manner of SFrame (RFC 9605): an AES-256-GCM key and a 12-byte salt, both
/// derived with HKDF-SHA256 from a 32-byte secret that only the members hold. Each frame carries the key id
/// and a counter in a header; the nonce is the salt XOR the counter; the header, the sender's member id and
/// the media kind are authenticated with the payload.
/// </summary>
/// <remarks>
/// Sealed frame: <c>u8 version (1), u32 key id, u64 counter, ciphertext, 16-byte tag</c>, all big-endian.
/// </remarks>
internal sealed class MediaKey : IDisposable
{
    public const int SecretBytes = 32;
    public const int HeaderBytes = 1 + 4 + 8;
    public const int TagBytes = 16;
    public const int Overhead = HeaderBytes + TagBytes;
    public const byte Version = 1;
    private const int NonceBytes = 12;
    private const int AadBytes = HeaderBytes + 4 + 1;
    private static readonly byte[] KeyLabel = "s2cd sframe v1 key"u8.ToArray();
    private static readonly byte[] SaltLabel = "s2cd sframe v1 salt"u8.ToArray();

    private readonly AesGcm _aes;
    private readonly byte[] _salt = new byte[NonceBytes];

    public MediaKey(uint keyId, ReadOnlySpan<byte> secret)
    {
        if (secret.Length != SecretBytes)
        {
            throw new ArgumentException($"a media key secret is {SecretBytes} bytes", nameof(secret));
        }

        KeyId = keyId;
        Span<byte> key = stackalloc byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, salt: [], KeyLabel);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, _salt, salt: [], SaltLabel);
        _aes = new AesGcm(key, TagBytes);
        CryptographicOperations.ZeroMemory(key);
    }

    public uint KeyId { get; }

    /// <summary>Reads the key id and counter of a sealed frame; false when it is too short or of another version.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> frame, out uint keyId, out ulong counter)
    {
        keyId = 0;
        counter = 0;
        if (frame.Length < Overhead || frame[0] != Version)
        {
            return false;
        }

        keyId = BinaryPrimitives.ReadUInt32BigEndian(frame[1..]);
        counter = BinaryPrimitives.ReadUInt64BigEndian(frame[5..]);
        return true;
    }

    /// <summary>Seals <paramref name="plaintext"/> into <paramref name="destination"/> (plaintext length + <see cref="Overhead"/> bytes).</summary>
    public void Seal(ulong counter, uint sender, MediaKind kind, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var header = destination[..HeaderBytes];
        header[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], KeyId);
        BinaryPrimitives.WriteUInt64BigEndian(header[5..], counter);
        Span<byte> nonce = stackalloc byte[NonceBytes];
        Span<byte> aad = stackalloc byte[AadBytes];
        Nonce(counter, nonce);
        Aad(header, sender, kind, aad);
        var ciphertext = destination.Slice(HeaderBytes, plaintext.Length);
        _aes.Encrypt(nonce, plaintext, ciphertext, destination.Slice(HeaderBytes + plaintext.Length, TagBytes), aad);
    }

    /// <summary>
    /// Opens a sealed frame whose header has been read with <see cref="TryReadHeader"/> into <paramref name="plaintext"/>
    /// (frame length - <see cref="Overhead"/> bytes). False when it does not authenticate: tampered, or not ours.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> frame, ulong counter, uint sender, MediaKind kind, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        Span<byte> aad = stackalloc byte[AadBytes];
        Nonce(counter, nonce);
        Aad(frame[..HeaderBytes], sender, kind, aad);
        var length = frame.Length - Overhead;
        try
        {
            _aes.Decrypt(nonce, frame.Slice(HeaderBytes, length), frame.Slice(HeaderBytes + length, TagBytes), plaintext[..length], aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private void Nonce(ulong counter, Span<byte> nonce)
    {
        _salt.CopyTo(nonce);
        var tail = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ counter;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], tail);
    }

    private static void Aad(ReadOnlySpan<byte> header, uint sender, MediaKind kind, Span<byte> aad)
    {
        header.CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[HeaderBytes..], sender);
        aad[HeaderBytes + 4] = (byte)kind;
    }

    public void Dispose() => _aes.Dispose();
}
