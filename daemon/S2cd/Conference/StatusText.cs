using System.Globalization;
using S2cd.Contract;

namespace S2cd.Conference;

/// <summary>
/// The call view's status line: where we are, how it is protected, the keys, then the first problem. Its words for
/// typed status come from <see cref="StatusWords"/>, as <c>s2c-attach status</c>'s do.
/// </summary>
internal static class StatusText
{
    /// <summary>The call view's last row: where we are, how it is protected, the keys, then the first problem.</summary>
    public static string ViewLine(ViewStatus s, double viewFps, int frameRate = Contract.ViewSettings.Unpaced)
    {
        var inv = CultureInfo.InvariantCulture;
        var where = s.Session is null
            ? (s.CameraRunning ? " preview" : " not in a session")
            : string.Create(inv, $" {s.Session} · {s.Relay} {s.Connection.ToString().ToLowerInvariant()}{(s.MediaPath is null ? string.Empty : s.MediaPath.Kind == MediaPathKind.Udp ? " · udp" : " · tls")}");
        var protection = string.Empty;
        if (s.Session is not null)
        {
            protection = s.Security is { Tls: false } ? " · NOT ENCRYPTED" : string.Empty;
            protection += !s.EndToEnd ? " · NOT END-TO-END ENCRYPTED" : s.CallCode is { } code ? $" · call code {code}" : string.Empty;
        }

        var rtt = s.RoundTripMs is { } ms ? string.Create(inv, $" · rtt {ms:0.0} ms") : string.Empty;
        var fps = frameRate == Contract.ViewSettings.Unpaced ? string.Create(inv, $" · {viewFps:0} fps") : string.Create(inv, $" · {viewFps:0}/{frameRate} fps");
        var problem = s.Problems.Count switch
        {
            0 => string.Empty,
            1 => $" │ {StatusWords.Of(s.Problems[0])}",
            _ => $" │ {StatusWords.Of(s.Problems[0])} (and {s.Problems.Count - 1} more: s2c-attach status)",
        };

        // The keys come before any problem: a narrow terminal cuts the line at its end.
        return $"{where}{protection}{rtt}{fps} │ m {(s.Muted ? "unmute" : "mute")}  v camera {(s.CameraOn ? "off" : "on")}  q detach  l leave  ? keys{problem}";
    }
}
