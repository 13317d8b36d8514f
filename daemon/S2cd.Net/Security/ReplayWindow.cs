namespace S2cd.Security;

/// <summary>
/// A sliding replay window over counters (as in IPsec and SRTP): the highest counter seen and a bitmap of the
/// <see cref="Size"/> counters below it. A counter is accepted once; one older than the window is refused. Used
/// for end-to-end media frames (256 wide: the relay may send a sender's newest video ahead of its older audio)
/// and for the datagrams of a member's path (1024 wide: fragments of video bursts overtake each other). Not
/// thread-safe: one receiver.
/// </summary>
internal sealed class ReplayWindow
{
    public const int DefaultSize = 256;
    private readonly ulong[] _bits;
    private ulong _highest;
    private bool _any;

    /// <param name="size">How many counters below the highest are remembered: a multiple of 64.</param>
    public ReplayWindow(int size = DefaultSize)
    {
        if (size <= 0 || size % 64 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "a positive multiple of 64");
        }

        Size = size;
        _bits = new ulong[size / 64];
    }

    public int Size { get; }

    /// <summary>Checks and records in one step: true once for each fresh counter. Call it only for what authenticated.</summary>
    public bool TryAccept(ulong counter)
    {
        if (!IsFresh(counter))
        {
            return false;
        }

        Record(counter);
        return true;
    }

    /// <summary>True when <paramref name="counter"/> has not been seen and is not too old; does not record it.</summary>
    public bool IsFresh(ulong counter)
    {
        if (!_any || counter > _highest)
        {
            return true;
        }

        var behind = _highest - counter;
        return behind < (ulong)Size && (_bits[behind / 64] & (1UL << (int)(behind % 64))) == 0;
    }

    /// <summary>Records <paramref name="counter"/> as seen; call after the frame authenticated and <see cref="IsFresh"/> said yes.</summary>
    public void Record(ulong counter)
    {
        if (!_any || counter > _highest)
        {
            var shift = _any ? counter - _highest : (ulong)Size;
            Shift(shift);
            _highest = counter;
            _any = true;
        }

        var behind = _highest - counter;
        _bits[behind / 64] |= 1UL << (int)(behind % 64);
    }

    private void Shift(ulong by)
    {
        if (by >= (ulong)Size)
        {
            Array.Clear(_bits);
            return;
        }

        var words = (int)(by / 64);
        var bits = (int)(by % 64);
        for (var i = _bits.Length - 1; i >= 0; i--)
        {
            var source = i - words;
            var value = source >= 0 ? _bits[source] << bits : 0;
            if (bits != 0 && source - 1 >= 0)
            {
                value |= _bits[source - 1] >> (64 - bits);
            }

            _bits[i] = value;
        }
    }
}
