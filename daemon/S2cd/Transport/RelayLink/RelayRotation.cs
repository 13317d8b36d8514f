using S2cd.Contract;

namespace S2cd.Transport.RelayLink;

/// <summary>The relays a link tries in turn (one, or the list given) and which of them it uses now.</summary>
internal sealed class RelayRotation(RelayList relays)
{
    private int _current;

    /// <summary>How many relays there are to try.</summary>
    public int Count => relays.Count;

    /// <summary>The relay in use now, as HOST:PORT.</summary>
    public string Current => relays[Volatile.Read(ref _current)];

    /// <summary>Moves on to the next relay of the list (round the end to the first).</summary>
    public void Next() => Volatile.Write(ref _current, (Volatile.Read(ref _current) + 1) % relays.Count);
}
