using S2cd.Security;

namespace S2cd.Transport.RelayLink;

/// <summary>
/// The relays this daemon trusts, pinned by certificate fingerprint on first use (like ssh's known_hosts):
/// one "HOST:PORT SHA256:..." line each in STATE/known_relays.
/// </summary>
internal sealed class KnownRelays(string stateDirectory)
{
    public const string FileName = "known_relays";
    private readonly Lock _lock = new();

    public string Path { get; } = System.IO.Path.Combine(stateDirectory, FileName);

    public string? Find(string relay)
    {
        lock (_lock)
        {
            if (!File.Exists(Path))
            {
                return null;
            }

            foreach (var line in File.ReadLines(Path))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == relay && Fingerprint.IsValid(parts[1]))
                {
                    return parts[1];
                }
            }

            return null;
        }
    }

    public void Remember(string relay, string fingerprint)
    {
        lock (_lock)
        {
            StateDirectory.Ensure(System.IO.Path.GetDirectoryName(Path)!);
            var lines = File.Exists(Path) ? File.ReadAllLines(Path).Where(l => !l.StartsWith(relay + " ", StringComparison.Ordinal)).ToList() : [];
            lines.Add($"{relay} {fingerprint}");
            StateDirectory.WriteSecret(Path, System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        }
    }
}
