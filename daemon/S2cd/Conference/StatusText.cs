using System.Globalization;
using S2cd.Contract;
using S2cd.Transport;

namespace S2cd.Conference;

/// <summary>
/// The one place where the core's typed state becomes the words people read: in <c>status</c>, <c>who</c> and the
/// view's status line. Nothing reads these words back.
/// </summary>
internal static class StatusText
{
    public static string Of(DeviceState device) => device.Condition switch
    {
        DeviceCondition.On => $"on: {device.Detail}",
        DeviceCondition.Unavailable => string.Create(CultureInfo.InvariantCulture, $"unavailable: {device.Detail}; retrying every {device.RetryEvery?.TotalSeconds:0.#} s"),
        DeviceCondition.Disabled => $"disabled ({device.Detail})",
        _ => "off",
    };

    /// <summary>The problem line for a device that does not work ("camera unavailable: ..."), or null.</summary>
    public static string? ProblemOf(string device, DeviceState state) =>
        state.Condition == DeviceCondition.Unavailable ? $"{device} unavailable: {state.Detail}" : null;

    public static string Encryption(LinkSecurity? security) => security switch
    {
        null => "not connected",
        { Tls: true } => $"TLS 1.3 to the relay, certificate {security.CertificateFingerprint}",
        _ => "not encrypted (Conference:Tls is false)",
    };

    /// <summary>End-to-end protection in a session: off by configuration, waiting for the relay, or how many members' keys we hold.</summary>
    public static string EndToEnd(bool enabled, (int Verified, int Keys, int Others)? coverage)
    {
        if (!enabled)
        {
            return "off (Conference:EndToEnd is false): media crosses the relay readable";
        }

        if (coverage is not { } c)
        {
            return "AES-256-GCM, waiting for the relay";
        }

        return c.Others == 0
            ? "AES-256-GCM under per-sender keys; nobody else here yet"
            : $"AES-256-GCM under per-sender keys; keys from {c.Keys} of {c.Others} other members ({c.Verified} verified)";
    }

    /// <summary>The call view's last row: where we are, how it is protected, the keys, then the first problem.</summary>
    public static string ViewLine(ViewStatus s, double viewFps)
    {
        var inv = CultureInfo.InvariantCulture;
        var where = s.Session is null
            ? (s.CameraRunning ? " preview" : " not in a session")
            : string.Create(inv, $" {s.Session} · {s.Relay} {s.Connection.ToString().ToLowerInvariant()}{(s.MediaPath is null ? string.Empty : s.MediaPath.StartsWith("udp", StringComparison.Ordinal) ? " · udp" : " · tls")}");
        var protection = string.Empty;
        if (s.Session is not null)
        {
            protection = s.Security is { Tls: false } ? " · NOT ENCRYPTED" : string.Empty;
            protection += !s.EndToEnd ? " · NOT END-TO-END ENCRYPTED" : s.CallCode is { } code ? $" · call code {code}" : string.Empty;
        }

        var rtt = s.RoundTripMs is { } ms ? string.Create(inv, $" · rtt {ms:0.0} ms") : string.Empty;
        var fps = string.Create(inv, $" · {viewFps:0} fps");
        var problem = s.Problems.Count switch
        {
            0 => string.Empty,
            1 => $" │ {s.Problems[0]}",
            _ => $" │ {s.Problems[0]} (and {s.Problems.Count - 1} more: s2c-attach status)",
        };

        // The keys come before any problem: a narrow terminal cuts the line at its end.
        return $"{where}{protection}{rtt}{fps} │ m {(s.Muted ? "unmute" : "mute")}  v camera {(s.CameraOn ? "off" : "on")}  q detach  l leave{problem}";
    }
}
