using System.Security.Cryptography;
using S2cd.Security;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// Our own media key in an end-to-end session: what the capture threads seal under (each frame with the next counter),
/// replaced at every rekey (the counter starts again under the new key, whose id is one more).
/// </summary>
internal sealed class SendKey : IDisposable
{
    private readonly Lock _lock = new();
    private MediaKey _key;
    private ulong _counter;
    private uint _id = 1;

    public SendKey() => _key = new MediaKey(_id, RandomNumberGenerator.GetBytes(MediaKey.SecretBytes));

    /// <summary>The key's id now (it grows by one with every rekey).</summary>
    public uint Id => Volatile.Read(ref _id);

    /// <summary>Seals a media payload of <paramref name="sender"/> (us) under the key now, into <paramref name="destination"/>.</summary>
    public void Seal(uint sender, MediaKind kind, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        lock (_lock)
        {
            _key.Seal(_counter++, sender, kind, plaintext, destination);
        }
    }

    /// <summary>From now on frames are sealed under <paramref name="key"/> (id <paramref name="id"/>); the old key is disposed.</summary>
    public void Replace(MediaKey key, uint id)
    {
        MediaKey old;
        lock (_lock)
        {
            old = _key;
            _key = key;
            _counter = 0;
            Volatile.Write(ref _id, id);
        }

        old.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _key.Dispose();
        }
    }
}
