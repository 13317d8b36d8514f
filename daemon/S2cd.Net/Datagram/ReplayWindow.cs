namespace S2cd.Datagram;

/// <summary>
/// The sequence numbers of one direction of a datagram path already accepted: a sliding window of the newest
/// <see cref="Width"/>. A number seen before, or older than the window, is refused. Use it only after a
/// datagram has authenticated, so that forged numbers cannot move the window. Not thread-safe: one receive loop.
/// </summary>
internal sealed class ReplayWindow
{
    public const int Width = 1024;
    private readonly ulong[] _seen = new ulong[Width / 64];
    private ulong _highest;
    private bool _any;

    public bool TryAccept(ulong sequence)
    {
        if (!_any)
        {
            _any = true;
            _highest = sequence;
            Mark(sequence);
            return true;
        }

        if (sequence > _highest)
        {
            // Clear the slots the window slides over, then take the new highest.
            var advance = sequence - _highest;
            if (advance >= Width)
            {
                Array.Clear(_seen);
            }
            else
            {
                for (var s = _highest + 1; s <= sequence; s++)
                {
                    Clear(s);
                }
            }

            _highest = sequence;
            Mark(sequence);
            return true;
        }

        if (_highest - sequence >= Width || IsMarked(sequence))
        {
            return false;
        }

        Mark(sequence);
        return true;
    }

    private void Mark(ulong sequence) => _seen[(int)(sequence / 64 % (Width / 64))] |= 1UL << (int)(sequence % 64);

    private void Clear(ulong sequence) => _seen[(int)(sequence / 64 % (Width / 64))] &= ~(1UL << (int)(sequence % 64));

    private bool IsMarked(ulong sequence) => (_seen[(int)(sequence / 64 % (Width / 64))] & (1UL << (int)(sequence % 64))) != 0;
}
