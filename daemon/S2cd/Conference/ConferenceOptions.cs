namespace S2cd.Conference;

/// <summary>Settings of the conference link (configuration section <c>Conference</c>).</summary>
internal sealed class ConferenceOptions
{
    public const string Section = "Conference";

    /// <summary>The relay joins go to when the client names none.</summary>
    public string Relay { get; set; } = "127.0.0.1:1122";

    /// <summary>The display name. Default: user@host, shortened to 32 characters.</summary>
    public string? Name { get; set; }

    /// <summary>The longest wait between two reconnection attempts.</summary>
    public double ReconnectMaxSeconds { get; set; } = 5;

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
