namespace S2cd.Hosting;

/// <summary>The daemon's command line: short options for common settings, and any key as --Section:Key VALUE.</summary>
internal static class CommandLine
{
    public const string HelpText = """
        s2cd — video and audio conferencing in the terminal: the daemon.

        Usage: s2cd [options]

        Options:
          --config FILE          read FILE instead of /etc/s2cd/s2cd.json
          --role participant|relay
                                 participant (default) joins sessions; relay forwards between daemons
          --socket PATH          control socket (default /run/s2cd/s2cd.sock as root or under
                                 systemd, else $XDG_RUNTIME_DIR/s2cd/s2cd.sock)
          --listen HOST:PORT     where the relay listens (relay role 0.0.0.0:1122, embedded 127.0.0.1:1122)
          --relay HOST:PORT      relay used when a join names none (default 127.0.0.1:1122)
          --name NAME            display name (default user@host)
          --camera SOURCE        testpattern, a device index, /dev/videoN or a video file
          --state-dir DIR        where identity and known relays are kept
          --Section:Key VALUE    any configuration key, e.g. --Relay:Embedded false
          --version              print the version
          -h, --help             print this help

        Environment: S2CD_Section__Key=VALUE sets any key (S2CD_Relay__MaxSessions=100).
        Precedence: command line, then environment, then the config file.

        """;

    private static readonly Dictionary<string, string> ShortOptions = new(StringComparer.Ordinal)
    {
        ["--role"] = "Role",
        ["--socket"] = "Control:Socket",
        ["--listen"] = "Relay:Listen",
        ["--relay"] = "Conference:Relay",
        ["--name"] = "Conference:Name",
        ["--camera"] = "Video:Camera",
        ["--state-dir"] = "StateDirectory",
    };

    /// <summary>Parses the arguments; an option given twice keeps its last value, as configuration keys do.</summary>
    public static (string? ConfigFile, Dictionary<string, string?> Settings, string? Error) Parse(string[] args)
    {
        string? configFile = null;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string option;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
            {
                option = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                option = arg;
            }

            if (!option.StartsWith("--", StringComparison.Ordinal))
            {
                return (null, settings, $"unexpected argument '{Shorten(arg)}'");
            }

            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    return (null, settings, $"{Shorten(option)} needs a value");
                }

                value = args[++i];
            }

            if (option == "--config")
            {
                configFile = value;
            }
            else if (ShortOptions.TryGetValue(option, out var key))
            {
                settings[key] = value;
            }
            else if (IsConfigurationKey(option[2..]))
            {
                settings[option[2..]] = value;
            }
            else
            {
                return (null, settings, $"unknown option {Shorten(option)}");
            }
        }

        return (configFile, settings, null);
    }

    private static bool IsConfigurationKey(string key)
    {
        if (key is "Role" or "StateDirectory")
        {
            return true;
        }

        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < key.Length - 1 && Settings.Sections.Contains(key[..colon], StringComparer.OrdinalIgnoreCase);
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
