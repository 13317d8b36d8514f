using System.Globalization;
using System.Text;
using S2cd.Contract;

namespace S2cAttach;

/// <summary>The human-readable output of the verbs. Names come from other people: control characters are never printed.</summary>
internal static class Output
{
    public static string FormatStatus(StatusResult status)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Daemon     s2cd {status.DaemonVersion} ({status.Role})");
        if (status.Role == "relay")
        {
            text.AppendLine(inv, $"Relay      listening on {status.RelayListen ?? "-"}: {status.RelaySessions} sessions, {status.RelayConnections} connections");
            return text.ToString();
        }

        text.AppendLine(inv, $"Name       {Clean(status.Name)}");
        text.AppendLine(inv, $"Session    {(status.Session is null ? "none (s2c-attach join SESSION)" : Clean(status.Session))}");
        var link = status.Connection.ToString().ToLowerInvariant();
        if (status.Reason is not null)
        {
            link += $": {Clean(status.Reason)}";
        }

        text.AppendLine(inv, $"Relay      {(status.Relay is null ? "-" : Clean(status.Relay))} ({link})");
        if (status.RoundTripMs is { } rtt)
        {
            text.AppendLine(inv, $"Round trip {rtt:0.0} ms");
        }

        text.AppendLine(inv, $"Microphone {(status.Muted ? "muted" : "on")}");
        text.AppendLine(inv, $"Camera     {(status.CameraOn ? "on" : "off")}");
        text.AppendLine(inv, $"People     {status.Participants}");
        if (status.RelayListen is not null)
        {
            text.AppendLine(inv, $"Embedded   relay on {status.RelayListen}: {status.RelaySessions} sessions, {status.RelayConnections} connections");
        }

        return text.ToString();
    }

    public static string FormatWho(IReadOnlyList<ParticipantInfo> members)
    {
        if (members.Count == 0)
        {
            return "Not in a session.\n";
        }

        var width = Math.Max(4, members.Max(m => Clean(m.Name).Length));
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"  {"NAME".PadRight(width)}  MIC    CAMERA");
        foreach (var member in members)
        {
            var name = Clean(member.Name).PadRight(width);
            text.AppendLine(inv, $"{(member.IsSelf ? "*" : " ")} {name}  {(member.Muted ? "muted" : "on"),-5}  {(member.CameraOn ? "on" : "off")}");
        }

        return text.ToString();
    }

    /// <summary>Replaces control and formatting characters, which could move the cursor or change the terminal.</summary>
    public static string Clean(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            var category = char.GetUnicodeCategory(c);
            builder.Append(category is UnicodeCategory.Control or UnicodeCategory.Format ? '?' : c);
        }

        return builder.ToString();
    }
}
