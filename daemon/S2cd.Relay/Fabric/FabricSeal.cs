using System.Security.Cryptography;
using System.Text;

namespace S2cd.Relay.Fabric;

/// <summary>
/// What a session is called on the fabric and how its messages are sealed there: the subject is a keyed hash of
/// the session name under the fabric's shared key, and every message is AES-256-GCM under a key derived from both,
/// so that the NATS servers and anyone subscribed to them learn neither the session's name nor its members' names,
/// nor anything of what the relays pass (media is end-to-end ciphertext besides). Not thread-safe for sealing
/// from two threads at once: callers take the lock.
/// </summary>
internal sealed class FabricSeal : IDisposable
{
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    private readonly AesGcm _aes;

    public FabricSeal(byte[] fabricKey, string session)
    {
        byte[] subject = [.. "subject\0"u8, .. Encoding.UTF8.GetBytes(session)];
        byte[] payload = [.. "payload\0"u8, .. Encoding.UTF8.GetBytes(session)];
        Subject = "s2c." + Convert.ToHexStringLower(HMACSHA256.HashData(fabricKey, subject).AsSpan(0, 16));
        _aes = new AesGcm(HMACSHA256.HashData(fabricKey, payload), TagBytes);
    }

    /// <summary>The subject prefix of the session: s2c.HASH.</summary>
    public string Subject { get; }

    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var sealed_ = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealed_.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        _aes.Encrypt(nonce, plaintext, sealed_.AsSpan(NonceBytes, plaintext.Length), sealed_.AsSpan(NonceBytes + plaintext.Length));
        return sealed_;
    }

    /// <summary>The plaintext of a sealed message, or null when it does not open (another fabric, or tampered).</summary>
    public byte[]? Open(ReadOnlySpan<byte> sealed_)
    {
        if (sealed_.Length < NonceBytes + TagBytes)
        {
            return null;
        }

        var plaintext = new byte[sealed_.Length - NonceBytes - TagBytes];
        try
        {
            _aes.Decrypt(sealed_[..NonceBytes], sealed_[NonceBytes..^TagBytes], sealed_[^TagBytes..], plaintext);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    public void Dispose() => _aes.Dispose();
}
