using System.CommandLine;
using System.CommandLine.Parsing;
using System.Reflection;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Control;
using S2cd.Relay;
using S2cd.Video;

namespace S2cd.Hosting;

/// <summary>
/// The daemon's command line, parsed by System.CommandLine: short options for common settings, and every
/// configuration key as --Section:Key VALUE (one option per property of the options classes, so a typo in a key
/// is an unknown option, not a silently ignored setting).
/// </summary>
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
          --relay HOST:PORT      relay used when a join names none (default 127.0.0.1:1122); several as
                                 HOST:PORT,HOST:PORT are tried in turn
          --fabric nats://H:P,…  relay role: share sessions with other relays through this NATS cluster
                                 (credentials and Relay:FabricKey from the config file or environment)
          --web HOST:PORT        relay role: serve the web front (session links, /metrics, /healthz,
                                 /readyz) over HTTP on HOST:PORT, for a reverse proxy
          --name NAME            display name (default user@host)
          --camera SOURCE        testpattern, a device index, /dev/videoN or a video file
          --state-dir DIR        where identity and known relays are kept
          --Section:Key VALUE    any configuration key, e.g. --Relay:Embedded false
          --version              print the version
          -h, --help             print this help

        Environment: S2CD_Section__Key=VALUE sets any key (S2CD_Relay__MaxSessions=100).
        Precedence: command line, then environment, then the config file.

        """;

    /// <summary>What the command line asked for; <see cref="Error"/> is one line when it could not be parsed.</summary>
    internal sealed record Parsed(bool Help, bool Version, string? ConfigFile, Dictionary<string, string?> Settings, string? Error);

    private static readonly (string Option, string Key)[] ShortOptions =
    [
        ("--role", "Role"),
        ("--socket", "Control:Socket"),
        ("--listen", "Relay:Listen"),
        ("--relay", "Conference:Relay"),
        ("--fabric", "Relay:Fabric"),
        ("--web", "Relay:Web"),
        ("--name", "Conference:Name"),
        ("--camera", "Video:Camera"),
        ("--state-dir", "StateDirectory"),
    ];

    /// <summary>The configuration keys the command line takes as --KEY: every property of every options class.</summary>
    internal static IEnumerable<string> ConfigurationKeys() =>
        ["Role", "StateDirectory", "Logging:LogLevel:Default",
            .. Keys(ControlOptions.Section, typeof(ControlOptions)),
            .. Keys(ConferenceOptions.Section, typeof(ConferenceOptions)),
            .. Keys(RelayOptions.Section, typeof(RelayOptions)),
            .. Keys(VideoOptions.Section, typeof(VideoOptions)),
            .. Keys(AudioOptions.Section, typeof(AudioOptions))];

    private static readonly Lazy<Grammar> Rules = new(Grammar.Build);

    /// <summary>Parses the arguments; an option given twice keeps its last value, as configuration keys do.</summary>
    public static Parsed Parse(string[] args)
    {
        var grammar = Rules.Value;
        var result = grammar.Root.Parse(grammar.Normalize(args));
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (FirstError(result) is { } error)
        {
            return new Parsed(false, false, null, settings, error);
        }

        foreach (var (option, key) in grammar.Keys)
        {
            if (result.GetResult(option) is { Tokens.Count: > 0 } given)
            {
                settings[key] = given.Tokens[^1].Value;
            }
        }

        var config = result.GetResult(grammar.Config) is { Tokens.Count: > 0 } file ? file.Tokens[^1].Value : null;
        return new Parsed(result.GetValue(grammar.Help), result.GetValue(grammar.Version), config, settings, null);
    }

    /// <summary>The first problem as one line: an unknown option, a stray argument, or an option without its value.</summary>
    private static string? FirstError(ParseResult result)
    {
        if (result.UnmatchedTokens.Count > 0)
        {
            var token = result.UnmatchedTokens[0];
            return token.StartsWith('-') ? $"unknown option {Shorten(token)}" : $"unexpected argument '{Shorten(token)}'";
        }

        return result.Errors.Count == 0 ? null
            : result.Errors[0].SymbolResult is OptionResult missing ? $"{Shorten(missing.IdentifierToken?.Value ?? missing.Option.Name)} needs a value"
            : result.Errors[0].Message;
    }

    private static IEnumerable<string> Keys(string section, [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicProperties)] Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => $"{section}:{p.Name}");

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;

    /// <summary>The options, built once: each takes one value per use, and may be used more than once.</summary>
    private sealed record Grammar(RootCommand Root, Option<string[]> Config, Option<bool> Help, Option<bool> Version, (Option<string[]> Option, string Key)[] Keys, Dictionary<string, string> Names)
    {
        public static Grammar Build()
        {
            var root = new RootCommand("s2cd — video and audio conferencing in the terminal: the daemon.");
            root.Options.Clear();
            var help = new Option<bool>("--help", "-h");
            var version = new Option<bool>("--version");
            var config = Valued("--config");
            var keys = ShortOptions.Select(s => (Valued(s.Option), s.Key))
                .Concat(ConfigurationKeys().Select(key => (Valued($"--{key}", hidden: true), key)))
                .ToArray();
            Option[] all = [help, version, config, .. keys.Select(k => k.Item1)];
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var option in all)
            {
                root.Options.Add(option);
                foreach (var name in option.Aliases.Prepend(option.Name))
                {
                    names[name] = name;
                }
            }

            return new Grammar(root, config, help, version, keys, names);
        }

        /// <summary>
        /// Keys are case-insensitive, as in the config file and the environment (--relay:maxsessions), and
        /// --KEY=VALUE is --KEY VALUE; System.CommandLine matches names exactly and would split "--Relay:Tls=false"
        /// at its colon, so option tokens are put in their declared form before parsing.
        /// </summary>
        public string[] Normalize(string[] args)
        {
            var tokens = new List<string>(args.Length + 4);
            var expectsValue = false;
            foreach (var arg in args)
            {
                if (expectsValue || !arg.StartsWith('-'))
                {
                    tokens.Add(arg);
                    expectsValue = false;
                    continue;
                }

                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                var name = equals > 0 ? arg[..equals] : arg;
                if (!Names.TryGetValue(name, out var declared))
                {
                    tokens.Add(arg);
                    continue;
                }

                tokens.Add(declared);
                if (equals > 0)
                {
                    tokens.Add(arg[(equals + 1)..]);
                }

                expectsValue = equals < 0 && declared is not ("--help" or "-h" or "--version");
            }

            return [.. tokens];
        }

        private static Option<string[]> Valued(string name, bool hidden = false) => new(name)
        {
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            Hidden = hidden,
        };
    }
}
