using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Control;
using S2cd.Relay;
using S2cd.Video;

namespace S2cd.Hosting;

/// <summary>
/// The ranges the options classes' properties allow (data annotations, <see cref="Configuration.InRangeAttribute"/>),
/// checked by validators the options validation source generator writes, and reported the way the daemon reports
/// every configuration problem: the first failure as one line naming the key, its value and what is allowed.
/// </summary>
internal static class AnnotatedOptions
{
    public static string? Check(string section, ControlOptions options) => Report(section, options, new ControlOptionsValidator().Validate(section, options));

    public static string? Check(string section, ConferenceOptions options) => Report(section, options, new ConferenceOptionsValidator().Validate(section, options));

    public static string? Check(string section, RelayOptions options) => Report(section, options, new RelayOptionsValidator().Validate(section, options));

    public static string? Check(string section, VideoOptions options) => Report(section, options, new VideoOptionsValidator().Validate(section, options));

    public static string? Check(string section, AudioOptions options) => Report(section, options, new AudioOptionsValidator().Validate(section, options));

    /// <summary>A generated validator's failure reads "Member: MIN to MAX" (the member, then the attribute's message).</summary>
    private static string? Report<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(string section, T options, ValidateOptionsResult result)
    {
        if (!result.Failed || result.Failures?.FirstOrDefault() is not { } failure)
        {
            return null;
        }

        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        var member = colon > 0 ? failure[..colon] : "";
        var allowed = colon > 0 ? failure[(colon + 2)..] : failure;
        var value = typeof(T).GetProperty(member)?.GetValue(options);
        return OptionsValidator.Describe($"{section}:{member}", value, allowed);
    }
}

[OptionsValidator]
internal sealed partial class ControlOptionsValidator : IValidateOptions<ControlOptions>;

[OptionsValidator]
internal sealed partial class ConferenceOptionsValidator : IValidateOptions<ConferenceOptions>;

[OptionsValidator]
internal sealed partial class RelayOptionsValidator : IValidateOptions<RelayOptions>;

[OptionsValidator]
internal sealed partial class VideoOptionsValidator : IValidateOptions<VideoOptions>;

[OptionsValidator]
internal sealed partial class AudioOptionsValidator : IValidateOptions<AudioOptions>;
