using System.Globalization;

namespace S2cd.Contract;

/// <summary>
/// The rules for session and display names, shared by the daemon, the relay and the client so that
/// all three refuse the same things with the same words.
/// </summary>
public static class NameRules
{
    /// <summary>Longest session name, in characters.</summary>
    public const int MaxSessionLength = 64;

    /// <summary>Longest display name, in characters.</summary>
    public const int MaxDisplayNameLength = 32;

    /// <summary>Longest passphrase, in characters.</summary>
    public const int MaxPassphraseLength = 256;

    /// <summary>Returns null when <paramref name="session"/> is a valid session name, otherwise why not.</summary>
    public static string? CheckSession(string? session)
    {
        if (string.IsNullOrEmpty(session))
        {
            return "session name is empty";
        }

        if (session.Length > MaxSessionLength)
        {
            return $"session name is {session.Length} characters long; at most {MaxSessionLength} are allowed";
        }

        foreach (var c in session)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return "session name may hold only letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }

    /// <summary>
    /// The form every spelling of a session shares ("Standup" and "standup" are one call): relays group members by it,
    /// and end-to-end keys and passphrases are bound to it. A valid name is ASCII, so this is its lower case.
    /// </summary>
    public static string SessionKey(string session) => session.ToLowerInvariant();

    /// <summary>Returns null when <paramref name="name"/> is a valid display name, otherwise why not.</summary>
    public static string? CheckDisplayName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "display name is empty";
        }

        if (name.Length > MaxDisplayNameLength)
        {
            return $"display name is {name.Length} characters long; at most {MaxDisplayNameLength} are allowed";
        }

        if (name.Trim().Length != name.Length)
        {
            return "display name may not start or end with white space";
        }

        foreach (var c in name)
        {
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse)
            {
                return "display name may not contain control or formatting characters";
            }
        }

        return null;
    }

    /// <summary>Returns null when <paramref name="passphrase"/> is acceptable (null means none), otherwise why not.</summary>
    public static string? CheckPassphrase(string? passphrase)
    {
        if (passphrase is null)
        {
            return null;
        }

        if (passphrase.Length == 0 || passphrase.Length > MaxPassphraseLength)
        {
            return $"passphrase must be 1 to {MaxPassphraseLength} characters long";
        }

        foreach (var c in passphrase)
        {
            if (char.IsControl(c))
            {
                return "passphrase may not contain control characters";
            }
        }

        return null;
    }

    /// <summary>
    /// Returns null when <paramref name="fingerprint"/> is a relay certificate's fingerprint as the relay logs it
    /// (SHA256: and 43 base64 characters; null means none given), otherwise why not.
    /// </summary>
    public static string? CheckFingerprint(string? fingerprint) =>
        fingerprint is null
        || (fingerprint is { Length: 50 } && fingerprint.StartsWith("SHA256:", StringComparison.Ordinal)
            && fingerprint.AsSpan(7).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") < 0)
            ? null
            : "relay fingerprint must be SHA256: and 43 base64 characters, as the relay logs it and its web page shows it";

    /// <summary>The most relays a daemon is given to try in turn.</summary>
    public const int MaxRelays = 8;

    /// <summary>
    /// Checks a relay, or a list of relays to try in turn (HOST:PORT,HOST:PORT, at most <see cref="MaxRelays"/>).
    /// Returns null and the relays when it is good, otherwise why not.
    /// </summary>
    public static string? TryParseRelays(string? value, out RelayList relays)
    {
        relays = new RelayList([]);
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxRelays * 64)
        {
            return "expected HOST:PORT, or several separated by commas";
        }

        var parts = value.Split(',');
        if (parts.Length > MaxRelays)
        {
            return $"at most {MaxRelays} relays";
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (TryParseEndpoint(parts[i], out _, out _) is { } problem)
            {
                return parts.Length == 1 ? problem : $"relay {i + 1} of {parts.Length}: {problem}";
            }
        }

        relays = new RelayList(parts);
        return null;
    }

    /// <summary>
    /// Parses HOST:PORT (IPv6 hosts in brackets). Returns null on success and sets the parts, otherwise why not.
    /// Port 0 (any free port) is accepted only when <paramref name="allowAnyPort"/> is set, for listening.
    /// </summary>
    public static string? TryParseEndpoint(string? value, out string host, out int port, bool allowAnyPort = false)
    {
        host = string.Empty;
        port = 0;
        if (string.IsNullOrWhiteSpace(value) || value.Length > 260)
        {
            return "expected HOST:PORT";
        }

        int colon;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 2 || close + 1 >= value.Length || value[close + 1] != ':')
            {
                return "expected [IPV6]:PORT";
            }

            host = value[1..close];
            colon = close + 1;
        }
        else
        {
            colon = value.LastIndexOf(':');
            if (colon <= 0 || value.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return "expected HOST:PORT";
            }

            host = value[..colon];
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '_' or '%'))
            {
                return "host may hold only letters, digits, '.', '-', '_' and ':'";
            }
        }

        if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535 || (port == 0 && !allowAnyPort))
        {
            return allowAnyPort ? "port must be a number from 0 to 65535" : "port must be a number from 1 to 65535";
        }

        return null;
    }
}
