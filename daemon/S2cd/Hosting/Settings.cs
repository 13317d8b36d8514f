using Microsoft.Extensions.Configuration;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Control;
using S2cd.Relay;
using S2cd.Video;
using S2cd.Platform;

namespace S2cd.Hosting;

/// <summary>All option classes, bound from configuration. Unknown keys in a known section are errors, so typos are caught.</summary>
internal sealed record Settings(DaemonOptions Daemon, ControlOptions Control, ConferenceOptions Conference, RelayOptions Relay, VideoOptions Video, AudioOptions Audio)
{

    public static Settings Bind(IConfiguration configuration)
    {
        var daemon = new DaemonOptions
        {
            Role = DaemonOptions.ParseRole(configuration["Role"] ?? "participant")
                ?? throw new InvalidDataException(OptionsValidator.DescribeValue("Role", configuration["Role"], "participant or relay")),
            StateDirectory = configuration["StateDirectory"],
        };
        return new Settings(
            daemon,
            BindSection<ControlOptions>(configuration, ControlOptions.Section),
            BindSection<ConferenceOptions>(configuration, ConferenceOptions.Section),
            BindSection<RelayOptions>(configuration, RelayOptions.Section),
            BindSection<VideoOptions>(configuration, VideoOptions.Section),
            BindSection<AudioOptions>(configuration, AudioOptions.Section));
    }

    private static T BindSection<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var value = new T();
        configuration.GetSection(section).Bind(value, o => o.ErrorOnUnknownConfiguration = true);
        return value;
    }
}
