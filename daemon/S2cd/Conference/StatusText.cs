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
    /// <param name="s">The call's state.</param>
    /// <param name="viewFps">The view's own frames per second.</param>
    /// <param name="frameRate">The view's chosen frame rate (unpaced: none).</param>
    /// <param name="unread">Messages that came while the chat strip was hidden.</param>
    public static string ViewLine(ViewStatus s, double viewFps, int frameRate = Contract.ViewSettings.Unpaced, int unread = 0)
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
        var chat = unread > 0 ? string.Create(inv, $" · ✉ {unread} new (c)") : string.Empty;
        var problem = s.Problems.Count switch
        {
            0 => string.Empty,
            1 => $" │ {StatusWords.Of(s.Problems[0])}",
            _ => $" │ {StatusWords.Of(s.Problems[0])} (and {s.Problems.Count - 1} more: s2c-attach status)",
        };

        // The keys come before any problem: a narrow terminal cuts the line at its end.
        return $"{where}{protection}{rtt}{fps}{chat} │ m {(s.Muted ? "unmute" : "mute")}  v camera {(s.CameraOn ? "off" : "on")}  t chat  q detach  l leave  ? keys{problem}";
    }
}
