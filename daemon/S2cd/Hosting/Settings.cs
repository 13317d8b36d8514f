using System.Diagnostics.CodeAnalysis;
using System.Reflection;
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
        RefuseUnknown<ControlOptions>(configuration, ControlOptions.Section);
        configuration.GetSection(ControlOptions.Section).Bind(control, Strict);
        var conference = new ConferenceOptions();
        RefuseUnknown<ConferenceOptions>(configuration, ConferenceOptions.Section);
        configuration.GetSection(ConferenceOptions.Section).Bind(conference, Strict);
        var relay = new RelayOptions();
        RefuseUnknown<RelayOptions>(configuration, RelayOptions.Section);
        configuration.GetSection(RelayOptions.Section).Bind(relay, Strict);
        var video = new VideoOptions();
        RefuseUnknown<VideoOptions>(configuration, VideoOptions.Section);
        configuration.GetSection(VideoOptions.Section).Bind(video, Strict);
        var audio = new AudioOptions();
        RefuseUnknown<AudioOptions>(configuration, AudioOptions.Section);
        configuration.GetSection(AudioOptions.Section).Bind(audio, Strict);
        return new Settings(daemon, control, conference, relay, video, audio);
    }

    /// <summary>Unknown keys in a known section are errors (the check below says which keys are known first).</summary>
    private static void Strict(BinderOptions options) => options.ErrorOnUnknownConfiguration = true;

    /// <summary>
    /// A key of <paramref name="section"/> that <typeparamref name="T"/> has no setting for is refused with the keys
    /// it has: "unknown setting Audio:Capture; known in Audio: CaptureDevice, PlaybackDevice, …", not the binder's text.
    /// </summary>
    private static void RefuseUnknown<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(IConfiguration configuration, string section)
    {
        var known = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).ToArray();
        foreach (var child in configuration.GetSection(section).GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"unknown setting {section}:{Printable(child.Key)}; known in {section}: {string.Join(", ", known)}");
            }
        }
    }

    /// <summary>A key as typed, up to 64 characters, control characters shown as '?'.</summary>
    private static string Printable(string key)
    {
        var shown = new string([.. key.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return key.Length > 64 ? shown + "…" : shown;
    }
}
