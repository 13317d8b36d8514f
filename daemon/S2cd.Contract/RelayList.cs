namespace S2cd.Contract;

/// <summary>
/// One relay, or several to try in turn (<c>HOST:PORT,HOST:PORT</c>), parsed and checked once by
/// <see cref="NameRules.TryParseRelays"/>; whoever holds one never splits the text again.
/// </summary>
public sealed class RelayList
{
    private readonly string[] _relays;

    internal RelayList(string[] relays) => _relays = relays;

    /// <summary>How many relays there are (1 to <see cref="NameRules.MaxRelays"/>).</summary>
    public int Count => _relays.Length;

    /// <summary>The relay at <paramref name="index"/>, as HOST:PORT.</summary>
    public string this[int index] => _relays[index];

    /// <summary>The list as it is written: HOST:PORT, comma-separated.</summary>
    public override string ToString() => string.Join(',', _relays);
}
