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
        // One Bind call a type, each of a type known here: the configuration binding generator writes them at build
        // time (no reflection, which NativeAOT lacks).
        var control = new ControlOptions();
        configuration.GetSection(ControlOptions.Section).Bind(control, Strict);
        var conference = new ConferenceOptions();
        configuration.GetSection(ConferenceOptions.Section).Bind(conference, Strict);
        var relay = new RelayOptions();
        configuration.GetSection(RelayOptions.Section).Bind(relay, Strict);
        var video = new VideoOptions();
        configuration.GetSection(VideoOptions.Section).Bind(video, Strict);
        var audio = new AudioOptions();
        configuration.GetSection(AudioOptions.Section).Bind(audio, Strict);
        return new Settings(daemon, control, conference, relay, video, audio);
    }

    /// <summary>Unknown keys in a known section are errors.</summary>
    private static void Strict(BinderOptions options) => options.ErrorOnUnknownConfiguration = true;
}
