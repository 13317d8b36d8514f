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
        text.AppendLine(inv, $"Daemon     s2cd {status.DaemonVersion} ({(status.Role == DaemonRole.Relay ? "relay" : "participant")})");
        if (status.Role == DaemonRole.Relay)
        {
            text.AppendLine(inv, $"Relay      listening on {status.RelayListen ?? "-"}: {status.RelaySessions} sessions, {status.RelayConnections} connections");
            text.AppendLine(inv, $"Datagrams  {status.RelayDatagramsReceived} received, {status.RelayDatagramsRejected} rejected");
            var busy = status.RelayBusy ? ": busy, refusing new joins" : string.Empty;
            var shed = status.RelayVideoShed > 0 ? $"; {status.RelayVideoShed} video frames not forwarded for load" : string.Empty;
            text.AppendLine(inv, $"Load       {status.RelayLoad:0}% of CPU{busy}{shed}");
            if (status.RelayFabric is { } fabric)
            {
                text.AppendLine(inv, $"Fabric     {StatusWords.Of(fabric)}: {status.RelayFabricPublished} published, {status.RelayFabricReceived} received, {status.RelayFabricRejected} rejected, {status.RelayFabricDropped} dropped for a slow subscriber");
            }

            if (status.RelayWeb is not null)
            {
                text.AppendLine(inv, $"Web front  {Clean(status.RelayWeb)} (session links, /metrics, /healthz, /readyz)");
                if (status.RelayJoinBuild is not null)
                {
                    text.AppendLine(inv, $"Join line  offers {Clean(status.RelayJoinBuild)}");
                }
                else if (status.RelayJoinBuildMissing is not null)
                {
                    text.AppendLine(inv, $"Join line  not offered, only the command for an installed s2c-attach: {Clean(status.RelayJoinBuildMissing)}");
                }
            }

            foreach (var problem in status.Problems)
            {
                text.AppendLine(inv, $"Problem    {Clean(StatusWords.Of(problem))}");
            }

            return text.ToString();
        }

        text.AppendLine(inv, $"Name       {Clean(status.Name)}");
        var rejoined = status.RejoinedAfterSeconds is { } away ? $" (rejoined after the daemon restarted: away {away:0.0} s)" : string.Empty;
        text.AppendLine(inv, $"Session    {(status.Session is null ? "none (s2c-attach join SESSION)" : Clean(status.Session))}{rejoined}");
        var link = status.Connection.ToString().ToLowerInvariant();
        if (status.Reason is not null)
        {
            link += $": {Clean(status.Reason)}";
        }

        text.AppendLine(inv, $"Relay      {(status.Relay is null ? "-" : Clean(status.Relay))} ({link})");
        if (status.MediaPath is { } path)
        {
            var rejected = status.DatagramsRejected > 0 ? $"; {status.DatagramsRejected} datagrams rejected" : string.Empty;
            text.AppendLine(inv, $"Media path {Clean(StatusWords.Of(path))}{rejected}");
        }

        if (status.Session is not null)
        {
            text.AppendLine(inv, $"Encryption {Clean(StatusWords.Of(status.Encryption))}");
            text.AppendLine(inv, $"End to end {StatusWords.Of(status.EndToEnd)}{(status.Passphrase ? "; passphrase set" : string.Empty)}");
            if (status.CallCode is not null)
            {
                text.AppendLine(inv, $"Call code  {status.CallCode} (everyone sees the same code exactly when everyone sees the same certificates)");
            }

            var rejected = status.RejectedTampered + status.RejectedReplayed + status.RejectedOldKey + status.RejectedKeyBundles + status.RefusedMembers;
            if (rejected > 0 || status.MediaAwaitingKey > 0)
            {
                text.AppendLine(inv, $"Rejected   {status.RejectedTampered} tampered, {status.RejectedReplayed} replayed, {status.RejectedOldKey} under an old key, {status.RejectedKeyBundles} bad key bundles, {status.RefusedMembers} members refused; {status.MediaAwaitingKey} frames came before their key");
            }
        }

        if (status.Fingerprint is not null)
        {
            text.AppendLine(inv, $"Identity   {status.Fingerprint}");
        }

        if (status.RoundTripMs is { } rtt)
        {
            text.AppendLine(inv, $"Round trip {rtt:0.0} ms");
        }

        text.AppendLine(inv, $"Microphone {(status.Muted ? "muted" : "on")} ({Clean(StatusWords.Of(status.Microphone))})");
        text.AppendLine(inv, $"Speaker    {Clean(StatusWords.Of(status.Speaker))}");
        text.AppendLine(inv, $"Processing {Clean(status.AudioProcessing)}; sends {(status.Transmit == TransmitMode.Continuous ? "continuously" : "while you speak")}");
        if (status.EchoDelayMs is { } echoDelay)
        {
            text.AppendLine(inv, $"Echo       {echoDelay} ms later than the devices report (found from the sound)");
        }
        text.AppendLine(inv, $"Camera     {(status.CameraOn ? "on" : "off")} ({Clean(StatusWords.Of(status.Camera))})");
        if (status.Session is not null)
        {
            text.AppendLine(inv, $"Video      {status.VideoLost} pictures from others lost, {status.VideoRejected} rejected");
        }

        if (status.Session is not null)
        {
            var delay = status.AudioDelayMs is { } d ? $"{d:0} ms (p95 {status.AudioDelayP95Ms:0} ms)" : "-";
            text.AppendLine(inv, $"Audio      delay {delay}, jitter buffer {status.JitterBufferMs} ms, loss {status.AudioLossPercent:0.#}% ({status.AudioRecovered} recovered by FEC, {status.AudioConcealed} concealed), {status.AudioXruns} xruns, {status.AudioRejected} rejected ({status.AudioLate} late), {status.AudioPacketsSent} packets sent");
        }
        foreach (var problem in status.Problems)
        {
            text.AppendLine(inv, $"Problem    {Clean(StatusWords.Of(problem))}");
        }

        text.AppendLine(inv, $"People     {status.Participants}");
        if (status.RelayListen is not null)
        {
            text.AppendLine(inv, $"Embedded   relay on {status.RelayListen}: {status.RelaySessions} sessions, {status.RelayConnections} connections");
        }

        return text.ToString();
    }

    public static string FormatWho(IReadOnlyList<ParticipantInfo> members, string? callCode = null)
    {
        if (members.Count == 0)
        {
            return "Not in a session.\n";
        }

        var width = Math.Max(4, members.Max(m => TextCells.Width(Clean(m.Name))));
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"  {"NAME".PadRight(width)}  MIC    CAMERA  SCREEN   FPS  LOST  SPEAKING         VOLUME  {"FINGERPRINT",-50}  TRUST");
        foreach (var member in members)
        {
            var name = TextCells.Pad(Clean(member.Name), width);
            var level = member.AudioLevel is { } l ? $" ({l} dB)" : string.Empty;
            var speaking = (member.Speaking ? "yes" : "no") + level;
            text.AppendLine(inv, $"{(member.IsSelf ? "*" : " ")} {name}  {(member.Muted ? "muted" : "on"),-5}  {(member.CameraOn ? "on" : "off"),-6}  {member.Sharing ?? "-",-7}  {member.VideoFps,3:0}  {member.VideoLost,4}  {speaking,-15}  {(member.IsSelf ? "-" : $"{member.Volume}%"),6}  {member.Fingerprint ?? "-",-50}  {Clean(StatusWords.Of(member.Trust, member.RefusedReason))}");
        }

        if (callCode is not null)
        {
            text.AppendLine(inv, $"Call code {callCode}: read it out; everyone should see the same. A different code means someone sees other certificates.");
        }

        return text.ToString();
    }

    public static string FormatDevices(DevicesResult devices)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        void Section(string title, IReadOnlyList<DeviceInfo> list, string configured)
        {
            text.AppendLine(inv, $"{title}:");
            foreach (var device in list)
            {
                var mark = device.Name == configured ? "*" : " ";
                text.AppendLine(inv, $"  {mark} {TextCells.Pad(Clean(device.Name), 28)} {Clean(device.Description)}");
            }

            if (list.Count == 0)
            {
                text.AppendLine("    (none)");
            }
        }

        Section("Cameras (Video:Camera)", devices.Cameras, devices.Configured[0]);
        Section("Capture (Audio:CaptureDevice)", devices.Capture, devices.Configured[1]);
        Section("Playback (Audio:PlaybackDevice)", devices.Playback, devices.Configured[2]);
        text.AppendLine(inv, $"Configured now: camera {Clean(devices.Configured[0])}, capture {Clean(devices.Configured[1])}, playback {Clean(devices.Configured[2])}");
        return text.ToString();
    }

    /// <summary>Replaces control and formatting characters, which could move the cursor or change the terminal.</summary>
    /// <summary>Text from the daemon as it may be printed: a cluster that would move the cursor or change the terminal is '?'.</summary>
    public static string Clean(string value) => TextCells.Safe(value);
}
