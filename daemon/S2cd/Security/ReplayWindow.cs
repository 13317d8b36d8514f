namespace S2cd.Security;

/// <summary>
/// A sliding replay window over frame counters (as in IPsec and SRTP): the highest counter seen and a bitmap
/// of the <see cref="Size"/> counters below it. A counter is accepted once; one older than the window is refused.
/// The window is wide because the relay may send a sender's newest video frame ahead of its older audio.
/// </summary>
internal sealed class ReplayWindow
{
    public const int Size = 256;
    private readonly ulong[] _bits = new ulong[Size / 64];
    private ulong _highest;
    private bool _any;

    /// <summary>True when <paramref name="counter"/> has not been seen and is not too old; does not record it.</summary>
    public bool IsFresh(ulong counter)
    {
        if (!_any || counter > _highest)
        {
            return true;
        }

        var behind = _highest - counter;
        return behind < Size && (_bits[behind / 64] & (1UL << (int)(behind % 64))) == 0;
    }

    /// <summary>Records <paramref name="counter"/> as seen; call after the frame authenticated and <see cref="IsFresh"/> said yes.</summary>
    public void Record(ulong counter)
    {
        if (!_any || counter > _highest)
        {
            var shift = _any ? counter - _highest : Size;
            Shift(shift);
            _highest = counter;
            _any = true;
        }

        var behind = _highest - counter;
        _bits[behind / 64] |= 1UL << (int)(behind % 64);
    }

    private void Shift(ulong by)
    {
        if (by >= Size)
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
