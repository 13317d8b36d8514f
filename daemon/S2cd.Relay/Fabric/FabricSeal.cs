using System.Security.Cryptography;
using System.Text;

namespace S2cd.Relay.Fabric;

/// <summary>
/// What a session is called on the fabric and how its messages are sealed there: the subject is a keyed hash of
/// the session name under the fabric's shared key, and every message is AES-256-GCM under a key derived from both,
/// so that the NATS servers and anyone subscribed to them learn neither the session's name nor its members' names,
/// nor anything of what the relays pass (media is end-to-end ciphertext besides). An AES-GCM instance must not be
/// used by two threads at once (it shares one OpenSSL context, and a clash fails that message and leaves errors
/// behind for the thread's next TLS operation): sealing has an instance of its own, under a lock, and opening one
/// for the session's one reader.
/// </summary>
internal sealed class FabricSeal : IDisposable
{
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    private readonly Lock _sealing = new();
    private readonly AesGcm _sealer;
    private readonly AesGcm _opener;

    public FabricSeal(byte[] fabricKey, string session)
    {
        byte[] subject = [.. "subject\0"u8, .. Encoding.UTF8.GetBytes(session)];
        byte[] payload = [.. "payload\0"u8, .. Encoding.UTF8.GetBytes(session)];
        Subject = "s2c." + Convert.ToHexStringLower(HMACSHA256.HashData(fabricKey, subject).AsSpan(0, 16));
        var key = HMACSHA256.HashData(fabricKey, payload);
        _sealer = new AesGcm(key, TagBytes);
        _opener = new AesGcm(key, TagBytes);
    }

    /// <summary>The subject prefix of the session: s2c.HASH.</summary>
    public string Subject { get; }

    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var sealed_ = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealed_.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        lock (_sealing)
        {
            _sealer.Encrypt(nonce, plaintext, sealed_.AsSpan(NonceBytes, plaintext.Length), sealed_.AsSpan(NonceBytes + plaintext.Length));
        }

        return sealed_;
    }

    /// <summary>The plaintext of a sealed message, or null when it does not open (another fabric, or tampered). One thread at a time.</summary>
    public byte[]? Open(ReadOnlySpan<byte> sealed_)
    {
        if (sealed_.Length < NonceBytes + TagBytes)
        {
            return null;
        }

        var plaintext = new byte[sealed_.Length - NonceBytes - TagBytes];
        try
        {
            _opener.Decrypt(sealed_[..NonceBytes], sealed_[NonceBytes..^TagBytes], sealed_[^TagBytes..], plaintext);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }
}
