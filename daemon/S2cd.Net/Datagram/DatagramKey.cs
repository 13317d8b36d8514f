using System.Buffers.Binary;
using System.Security.Cryptography;

namespace S2cd.Datagram;

/// <summary>What a datagram carries (its first byte, authenticated with the rest of the header).</summary>
internal enum DatagramType : byte
{
    Media = 1,
    Keepalive = 2,
    KeepaliveAck = 3,
}

/// <summary>
/// The key of one member's datagram path, given by the relay over the TLS link. A datagram is
/// <c>u8 type, u32 token, u64 sequence, AES-256-GCM ciphertext, 16-byte tag</c>; the 13 header bytes are the
/// associated data and the nonce is <c>u32 direction, u64 sequence</c>, so the two directions never share a
/// nonce. Sealing and opening each have their own cipher and lock: media is sealed from several threads while
/// the receive loop opens.
/// </summary>
internal sealed class DatagramKey : IDisposable
{
    public const int KeyBytes = 32;
    public const int HeaderBytes = 13;
    public const int TagBytes = 16;

    /// <summary>No datagram is larger: under any path MTU of the Internet, so nothing is fragmented by IP.</summary>
    public const int MaxDatagramBytes = 1200;

    public const int MaxPlaintextBytes = MaxDatagramBytes - HeaderBytes - TagBytes;

    /// <summary>How many sequence numbers below the highest a receiver remembers: fragments of a video burst overtake each other.</summary>
    public const int ReplayWindowSize = 1024;

    /// <summary>Daemon to relay.</summary>
    public const uint Upstream = 0;

    /// <summary>Relay to daemon.</summary>
    public const uint Downstream = 1;

    private readonly AesGcm _seal;
    private readonly AesGcm _open;
    private readonly Lock _sealLock = new();
    private readonly Lock _openLock = new();

    public DatagramKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"a datagram key is {KeyBytes} bytes", nameof(key));
        }

        _seal = new AesGcm(key, TagBytes);
        _open = new AesGcm(key, TagBytes);
    }

    /// <summary>Reads the token of a datagram that is long enough to be one; says nothing of its authenticity.</summary>
    public static bool TryReadToken(ReadOnlySpan<byte> datagram, out uint token)
    {
        token = 0;
        if (datagram.Length < HeaderBytes + TagBytes || datagram.Length > MaxDatagramBytes)
        {
            return false;
        }

        token = BinaryPrimitives.ReadUInt32BigEndian(datagram[1..]);
        return true;
    }

    /// <summary>Seals <paramref name="plaintext"/> into <paramref name="destination"/>; returns the datagram's length.</summary>
    public int Seal(DatagramType type, uint token, ulong sequence, uint direction, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (plaintext.Length > MaxPlaintextBytes)
        {
            throw new ArgumentException($"at most {MaxPlaintextBytes} bytes fit in a datagram", nameof(plaintext));
        }

        var length = HeaderBytes + plaintext.Length + TagBytes;
        var header = destination[..HeaderBytes];
        header[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], token);
        BinaryPrimitives.WriteUInt64BigEndian(header[5..], sequence);
        Span<byte> nonce = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(nonce, direction);
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], sequence);
        lock (_sealLock)
        {
            _seal.Encrypt(nonce, plaintext, destination.Slice(HeaderBytes, plaintext.Length), destination.Slice(HeaderBytes + plaintext.Length, TagBytes), header);
        }

        return length;
    }

    /// <summary>
    /// Opens a datagram sent in <paramref name="direction"/>: false when it is malformed or does not authenticate
    /// (then nothing in it may be believed). The plaintext goes to <paramref name="plaintext"/>.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> datagram, uint direction, out DatagramType type, out ulong sequence, Span<byte> plaintext, out int length)
    {
        type = default;
        sequence = 0;
        length = datagram.Length - HeaderBytes - TagBytes;
        if (length < 0 || datagram.Length > MaxDatagramBytes || plaintext.Length < length)
        {
            length = 0;
            return false;
        }

        var header = datagram[..HeaderBytes];
        Span<byte> nonce = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(nonce, direction);
        header.Slice(5, 8).CopyTo(nonce[4..]);
        try
        {
            lock (_openLock)
            {
                _open.Decrypt(nonce, datagram.Slice(HeaderBytes, length), datagram.Slice(HeaderBytes + length, TagBytes), plaintext[..length], header);
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            length = 0;
            return false;
        }

        type = (DatagramType)header[0];
        sequence = BinaryPrimitives.ReadUInt64BigEndian(header[5..]);
        return type is DatagramType.Media or DatagramType.Keepalive or DatagramType.KeepaliveAck;
    }

    public void Dispose()
    {
        _seal.Dispose();
        _open.Dispose();
    }
}
