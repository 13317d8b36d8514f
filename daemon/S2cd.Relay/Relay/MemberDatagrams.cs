using System.Net;
using System.Net.Sockets;
using S2cd.Datagram;
using S2cd.Security;

namespace S2cd.Relay;

/// <summary>
/// One member's datagram path on the relay: its token and hop key, the address its authentic datagrams come from (and
/// ours go to), whether it asked for media that way, and the sequence numbers each way.
/// </summary>
internal sealed class MemberDatagrams(uint token, byte[] key)
{
    private readonly ReplayWindow _upReplay = new(DatagramKey.ReplayWindowSize);
    private long _downSequence;
    private SocketAddress? _address;
    private volatile bool _wanted;

    /// <summary>The token of this path, in every datagram of it.</summary>
    public uint Token { get; } = token;

    /// <summary>The hop key: datagrams each way are sealed under it. Not disposed with the member (a receive loop may be using it).</summary>
    public DatagramKey Key { get; } = new(key);

    /// <summary>The last address an authentic datagram came from, or null before one.</summary>
    public SocketAddress? Address => Volatile.Read(ref _address);

    /// <summary>The member asked for media as datagrams (they reach it) and we know where to send them.</summary>
    public bool InUse => _wanted && Address is not null;

    /// <summary>The member said whether datagrams reach it.</summary>
    public void Want(bool wanted) => _wanted = wanted;

    public ulong NextDownSequence() => (ulong)Interlocked.Increment(ref _downSequence);

    /// <summary>Whether an authentic datagram's sequence number is new; called by the relay's one receive loop.</summary>
    public bool AcceptUpSequence(ulong sequence)
    {
        // Uncontended: a member's datagrams come from one address, which the kernel keeps to one receive loop.
        lock (_upReplay)
        {
            return _upReplay.TryAccept(sequence);
        }
    }

    /// <summary>Takes <paramref name="from"/> as the path's address; returns it as text when it changed.</summary>
    public string? Follow(SocketAddress from)
    {
        var current = Address;
        if (current is not null && current.Equals(from))
        {
            return null;
        }

        var copy = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
        Volatile.Write(ref _address, copy);
        return new IPEndPoint(IPAddress.Any, 0).Create(copy).ToString();
    }
}
