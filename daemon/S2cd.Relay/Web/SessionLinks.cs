using System.Security.Cryptography;
using S2cd.Contract;

namespace S2cd.Relay.Web;

/// <summary>
/// The sessions made on the web front: their names, and for each whether it has a passphrase and the hint its maker
/// gave. Kept in memory only, for <see cref="Lifetime"/>, at most <see cref="Capacity"/> (the oldest go first). The
/// relay never learns a passphrase: the page only says that one is needed and shows the hint.
/// </summary>
internal sealed class SessionLinks(TimeProvider time)
{
    public const int Capacity = 10_000;
    public const int MaxHintLength = 120;
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Link> _links = new(StringComparer.OrdinalIgnoreCase);
    private readonly Queue<(string Name, DateTimeOffset At)> _order = new();

    /// <summary>A name nobody can guess: "s2c-" and 16 characters of base32 (80 random bits).</summary>
    public static string NewName()
    {
        const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> name = stackalloc char[4 + 16 + 3];
        "s2c-".CopyTo(name);
        var at = 4;
        for (var i = 0; i < 16; i++)
        {
            if (i is 4 or 8 or 12)
            {
                name[at++] = '-';
            }

            name[at++] = Alphabet[bytes[i] % Alphabet.Length];
        }

        return new string(name[..at]);
    }

    /// <summary>What is wrong with a hint, or null: at most <see cref="MaxHintLength"/> characters, no control characters.</summary>
    public static string? CheckHint(string hint) =>
        hint.Length > MaxHintLength ? $"the passphrase hint is {hint.Length} characters long; at most {MaxHintLength} are allowed"
        : hint.Any(char.IsControl) ? "the passphrase hint may not contain control characters"
        : null;

    /// <summary>Records session <paramref name="name"/> (already checked by <see cref="NameRules.CheckSession"/>).</summary>
    public void Add(string name, bool passphrase, string? hint)
    {
        lock (_lock)
        {
            Expire();
            while (_links.Count >= Capacity && _order.TryDequeue(out var oldest))
            {
                _links.Remove(oldest.Name);
            }

            _links[name] = new Link(passphrase, string.IsNullOrWhiteSpace(hint) ? null : hint.Trim());
            _order.Enqueue((name, time.GetUtcNow()));
        }
    }

    public Link? Find(string name)
    {
        lock (_lock)
        {
            Expire();
            return _links.GetValueOrDefault(name);
        }
    }

    private void Expire()
    {
        var now = time.GetUtcNow();
        while (_order.TryPeek(out var oldest) && now - oldest.At > Lifetime)
        {
            _order.Dequeue();
            _links.Remove(oldest.Name);
        }
    }

    internal sealed record Link(bool Passphrase, string? Hint);
}
