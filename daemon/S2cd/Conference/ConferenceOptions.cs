using S2cd.Configuration;

namespace S2cd.Conference;

/// <summary>Settings of the conference link (configuration section <c>Conference</c>).</summary>
internal sealed class ConferenceOptions
{
    public const string Section = "Conference";

    /// <summary>
    /// The relay joins go to when the client names none: HOST:PORT, or several separated by commas, tried in turn
    /// when one cannot be reached or refuses as busy.
    /// </summary>
    public string Relay { get; set; } = "127.0.0.1:1122";

    /// <summary>TLS 1.3 to the relay. False speaks plain TCP, and status and the view say "not encrypted".</summary>
    public bool Tls { get; set; } = true;

    /// <summary>
    /// The relay certificate's fingerprint (SHA256:...), to pin it from configuration. Without it the first
    /// certificate seen is pinned in STATE/known_relays, as ssh does with known_hosts.
    /// </summary>
    public string? RelayFingerprint { get; set; }

    /// <summary>
    /// End-to-end encryption of media (AES-256-GCM under per-sender keys given out with CMS). False sends
    /// media in the clear through the relay; it exists to measure what encryption costs, and every member of
    /// a session must then have it off. Status and the view say so.
    /// </summary>
    public bool EndToEnd { get; set; } = true;

    /// <summary>
    /// Media as UDP datagrams to the relay when it offers them and they get through (else, and meanwhile, on the
    /// TLS link); false keeps media on the TLS link.
    /// </summary>
    public bool Udp { get; set; } = true;

    /// <summary>The display name. Default: user@host, shortened to 32 characters.</summary>
    public string? Name { get; set; }

    /// <summary>The longest wait between two reconnection attempts.</summary>
    [InRange(0.1, 300)]
    public double ReconnectMaxSeconds { get; set; } = 5;

    /// <summary>
    /// A daemon that starts again within this time of having been in a call (it crashed, its watchdog fired,
    /// it was restarted or upgraded) rejoins that call; an older memory is dropped. 00:00:00 turns rejoining off.
    /// 00:00:00 to 01:00:00 (checked by OptionsValidator: a TimeSpan range attribute needs reflection NativeAOT lacks).
    /// </summary>
    public TimeSpan RejoinWindow { get; set; } = TimeSpan.FromMinutes(2);

    public string ResolveName()
    {
        if (!string.IsNullOrEmpty(Name))
        {
            return Name;
        }

        var raw = $"{Environment.UserName}@{Environment.MachineName}";
        var clean = new string([.. raw.Where(c => !char.IsControl(c))]).Trim();
        return clean.Length > 32 ? clean[..32] : clean.Length == 0 ? "s2c" : clean;
    }
}
