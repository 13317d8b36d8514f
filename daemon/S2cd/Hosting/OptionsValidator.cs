using S2cd.Conference;
using S2cd.Contract;
using S2cd.Control;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Video;

namespace S2cd.Hosting;

/// <summary>
/// Checks the whole configuration at start: the ranges each option allows are data annotations on the options
/// classes (<see cref="AnnotatedOptions"/>); what depends on another setting or on a parser stays here. The first
/// problem found is reported as one line naming the key, the value and what is allowed; the daemon then exits
/// with EX_CONFIG.
/// </summary>
internal static class OptionsValidator
{
    public static string? Validate(Settings settings) =>
        CheckDaemon(settings.Daemon)
        ?? CheckControl(settings.Control)
        ?? CheckConference(settings.Conference)
        ?? CheckVideo(settings.Video)
        ?? CheckAudio(settings.Audio)
        ?? CheckRelay(settings.Relay, settings.Daemon.IsRelay);

    private static string? CheckDaemon(DaemonOptions daemon) =>
        daemon.StateDirectory is { } state && !Path.IsPathFullyQualified(state) ? Describe("StateDirectory", state, "an absolute path") : null;

    private static string? CheckControl(ControlOptions control)
    {
        if (control.Socket is { } socket && (!Path.IsPathFullyQualified(socket) || System.Text.Encoding.UTF8.GetByteCount(socket) > 107))
        {
            return Describe("Control:Socket", socket, "an absolute path of at most 107 bytes");
        }

        if (control.Group is { Length: > 0 } group && !IsPlainName(group))
        {
            return Describe("Control:Group", group, "a group name of letters, digits, '_' and '-'");
        }

        return AnnotatedOptions.Check(ControlOptions.Section, control);
    }

    private static string? CheckConference(ConferenceOptions conference)
    {
        if (NameRules.TryParseRelays(conference.Relay, out _) is { } relayProblem)
        {
            return Describe("Conference:Relay", conference.Relay, relayProblem);
        }

        if (conference.Name is not null && NameRules.CheckDisplayName(conference.Name) is { } nameProblem)
        {
            return Describe("Conference:Name", conference.Name, nameProblem);
        }

        if (conference.RelayFingerprint is not null && !Security.Fingerprint.IsValid(conference.RelayFingerprint))
        {
            return Describe("Conference:RelayFingerprint", conference.RelayFingerprint, "SHA256: and 43 base64 characters, as the relay logs it");
        }

        return AnnotatedOptions.Check(ConferenceOptions.Section, conference)
            ?? (conference.RejoinWindow < TimeSpan.Zero || conference.RejoinWindow > TimeSpan.FromHours(1)
                ? Describe("Conference:RejoinWindow", conference.RejoinWindow, "00:00:00 to 01:00:00")
                : null);
    }

    private static string? CheckVideo(VideoOptions video)
    {
        if (video.Camera.Length is 0 or > 4096 || video.Camera.Any(char.IsControl))
        {
            return Describe("Video:Camera", video.Camera, "testpattern, a device index, /dev/videoN or a video file");
        }

        return AnnotatedOptions.Check(VideoOptions.Section, video);
    }

    private static string? CheckAudio(Audio.AudioOptions audio) =>
        CheckDevice("Audio:CaptureDevice", audio.CaptureDevice)
        ?? CheckDevice("Audio:PlaybackDevice", audio.PlaybackDevice)
        ?? AnnotatedOptions.Check(Audio.AudioOptions.Section, audio)

        // Ranges that depend on another setting.
        ?? CheckRange("Audio:JitterMaxMilliseconds", audio.JitterMaxMilliseconds, audio.JitterMinMilliseconds, 1000)
        ?? CheckRange("Audio:JitterStartMilliseconds", audio.JitterStartMilliseconds, audio.JitterMinMilliseconds, audio.JitterMaxMilliseconds);

    private static string? CheckRelay(RelayOptions relay, bool relayRole)
    {
        if (relay.Listen is not null && NameRules.TryParseEndpoint(relay.Listen, out _, out _, allowAnyPort: true) is { } listenProblem)
        {
            return Describe("Relay:Listen", relay.Listen, listenProblem);
        }

        if (relay.Web is not null)
        {
            if (!relayRole)
            {
                return Describe("Relay:Web", relay.Web, "nothing here: only a relay of its own (--role relay) serves a web front, never a participant's embedded relay");
            }

            if (NameRules.TryParseEndpoint(relay.Web, out var webHost, out _, allowAnyPort: true) is { } webProblem)
            {
                return Describe("Relay:Web", relay.Web, webProblem);
            }

            if (webHost != "localhost" && !System.Net.IPAddress.TryParse(webHost.Trim('[', ']'), out _))
            {
                return Describe("Relay:Web", relay.Web, "an IP address or localhost with a port, such as 127.0.0.1:8122");
            }
        }

        if (relay.WebToken is { } token)
        {
            // The token itself is never written into the message: it is a secret.
            if (relay.Web is null)
            {
                return "invalid configuration: Relay:WebToken is set but Relay:Web is not: only a web front asks for it";
            }

            if (token.Length is < 16 or > 256 || token.Any(c => c <= ' ' || c > '~'))
            {
                return $"invalid configuration: Relay:WebToken (not shown, {token.Length} characters): expected 16 to 256 printable ASCII characters without spaces";
            }
        }

        if (relay.PublicAddress is not null && NameRules.TryParseEndpoint(relay.PublicAddress, out _, out _) is { } publicProblem)
        {
            return Describe("Relay:PublicAddress", relay.PublicAddress, publicProblem);
        }

        if (relay.PublicWebUrl is not null && Relay.Web.WebAddresses.CheckPublicWebUrl(relay.PublicWebUrl, out _) is { } urlProblem)
        {
            return Describe("Relay:PublicWebUrl", relay.PublicWebUrl, urlProblem);
        }

        if (relay.TrustedProxies is not null && Relay.Web.WebAddresses.CheckTrustedProxies(relay.TrustedProxies, out _) is { } proxyProblem)
        {
            return Describe("Relay:TrustedProxies", relay.TrustedProxies, proxyProblem);
        }

        if (relay.DownloadsFrom is { } from && !Path.IsPathFullyQualified(from))
        {
            return Describe("Relay:DownloadsFrom", from, "an absolute path");
        }

        return AnnotatedOptions.Check(RelayOptions.Section, relay)

            // A range that depends on another setting.
            ?? CheckRange("Relay:TimeoutSeconds", relay.TimeoutSeconds, relay.HeartbeatSeconds * 2, 600)
            ?? CheckFabric(relay);
    }

    /// <summary>The fabric: NATS URLs, a shared key, at most one way of logging in, and a credentials file that exists.</summary>
    private static string? CheckFabric(RelayOptions relay)
    {
        if (relay.Fabric is null)
        {
            return null;
        }

        var servers = relay.Fabric.Split(',');
        foreach (var server in servers)
        {
            var rest = server.StartsWith("nats://", StringComparison.Ordinal) ? server[7..] : server.StartsWith("tls://", StringComparison.Ordinal) ? server[6..] : null;
            if (servers.Length > 16 || rest is null || NameRules.TryParseEndpoint(rest, out _, out _) is not null)
            {
                // The value is not repeated: a password put in the URL would end up in the log.
                return "invalid configuration: Relay:Fabric: expected nats://HOST:PORT or tls://HOST:PORT, up to 16 separated by commas (credentials go in Relay:FabricUser/FabricPassword, FabricToken or FabricCredentials)";
            }
        }

        byte[]? key = null;
        try
        {
            key = relay.FabricKey is null ? null : Convert.FromBase64String(relay.FabricKey);
        }
        catch (FormatException)
        {
        }

        if (key is null || key.Length < 32)
        {
            return "invalid configuration: Relay:FabricKey: with Relay:Fabric, the fabric's shared secret is needed: at least 32 bytes in base64, the same on every relay (openssl rand -base64 32)";
        }

        var ways = new[] { relay.FabricUser is not null || relay.FabricPassword is not null, relay.FabricToken is not null, relay.FabricCredentials is not null }.Count(w => w);
        if (ways > 1)
        {
            return "invalid configuration: Relay:Fabric: give one way of logging in: FabricUser and FabricPassword, or FabricToken, or FabricCredentials";
        }

        if ((relay.FabricCertificate is null) != (relay.FabricCertificateKey is null))
        {
            return "invalid configuration: Relay:FabricCertificate and Relay:FabricCertificateKey go together: the relay's client certificate and its private key, PEM files";
        }

        foreach (var (name, file) in new[]
        {
            ("Relay:FabricCredentials", relay.FabricCredentials),
            ("Relay:FabricCa", relay.FabricCa),
            ("Relay:FabricCertificate", relay.FabricCertificate),
            ("Relay:FabricCertificateKey", relay.FabricCertificateKey),
        })
        {
            if (file is not null && !File.Exists(file))
            {
                return Describe(name, file, "a file that exists");
            }
        }

        return null;
    }

    private static string? CheckRange(string key, double value, double min, double max) =>
        value >= min && value <= max ? null : Describe(key, value, $"{min} to {max}");

    private static string? CheckDevice(string key, string device) =>
        device.Length is > 0 and <= 256 && !device.Any(char.IsControl) ? null : Describe(key, device, "an ALSA device name such as default or hw:0,0");

    private static bool IsPlainName(string value) =>
        value.Length <= 32 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    internal static string Describe(string key, object? value, string allowed) => $"invalid configuration: {DescribeValue(key, value, allowed)}";

    /// <summary>"KEY = 'VALUE': expected ALLOWED", the value cut to 80 characters and its control characters shown as '?'.</summary>
    internal static string DescribeValue(string key, object? value, string allowed)
    {
        var shown = value?.ToString() ?? "(empty)";
        if (shown.Length > 80)
        {
            shown = shown[..80] + "…";
        }

        shown = new string([.. shown.Select(c => char.IsControl(c) ? '?' : c)]);
        return $"{key} = '{shown}': expected {allowed}";
    }
}
