using S2cd.Datagram;
using S2cd.Security;

namespace S2cd.Transport.RelayLink;

/// <summary>
/// The hop encryption of one datagram path to the relay: its token and key, the sequence numbers it sends under,
/// and the replay window of what comes back. Sealing may run on several media threads at once; opening on the
/// path's one receive loop.
/// </summary>
internal sealed class PathSeal(uint token, byte[] key) : IDisposable
{
    private readonly DatagramKey _key = new(key);
    private readonly ReplayWindow _replay = new(DatagramKey.ReplayWindowSize);
    private long _sequence;

    /// <summary>Seals <paramref name="plaintext"/> as a datagram of <paramref name="type"/> to the relay into <paramref name="datagram"/>; returns its length.</summary>
    public int Seal(DatagramType type, ReadOnlySpan<byte> plaintext, Span<byte> datagram) =>
        _key.Seal(type, token, (ulong)Interlocked.Increment(ref _sequence), DatagramKey.Upstream, plaintext, datagram);

    /// <summary>Opens a datagram from the relay: ours (token), authentic, of a kind the relay sends, and not seen before.</summary>
    public bool TryOpen(ReadOnlySpan<byte> datagram, Span<byte> plaintext, out DatagramType type, out int length)
    {
        type = default;
        length = 0;
        return datagram.Length <= DatagramKey.MaxDatagramBytes
            && DatagramKey.TryReadToken(datagram, out var received) && received == token
            && _key.TryOpen(datagram, DatagramKey.Downstream, out type, out var sequence, plaintext, out length)
            && type is DatagramType.Media or DatagramType.KeepaliveAck
            && _replay.TryAccept(sequence);
    }

    public void Dispose() => _key.Dispose();
}
