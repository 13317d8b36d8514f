namespace S2cd.Contract;

/// <summary>
/// Constants of the control API spoken between <c>s2cd</c> and its clients over the Unix socket:
/// newline-delimited JSON-RPC 2.0 messages.
/// </summary>
public static class ControlProtocol
{
    /// <summary>The protocol version this build speaks. Clients send theirs in <see cref="Methods.Hello"/>.</summary>
    public const int Version = 1;

    /// <summary>The largest single JSON-RPC message, in bytes, the daemon accepts.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The most UTF-8 bytes of one chat message's text.</summary>
    public const int MaxChatBytes = 4096;

    /// <summary>The environment variable that names the control socket for clients.</summary>
    public const string SocketEnvironmentVariable = "S2CD_SOCKET";

    /// <summary>The socket path used by the system service.</summary>
    public const string SystemSocketPath = "/run/s2cd/s2cd.sock";

    /// <summary>The per-user socket path of a daemon started by hand, or null without $XDG_RUNTIME_DIR.</summary>
    public static string? UserSocketPath()
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime) ? null : Path.Combine(runtime, "s2cd", "s2cd.sock");
    }

    /// <summary>
    /// The socket a client uses when none is named: a per-user daemon's when one is running, else the
    /// system service's when it exists, else the per-user path (a client then reports that nothing listens).
    /// </summary>
    public static string ClientDefaultSocketPath()
    {
        var user = UserSocketPath();
        if (user is not null && File.Exists(user))
        {
            return user;
        }

        if (user is null || File.Exists(SystemSocketPath) || Directory.Exists(Path.GetDirectoryName(SystemSocketPath)))
        {
            return SystemSocketPath;
        }

        return user;
    }

    /// <summary>JSON-RPC method names, as <see cref="IControlService"/> and <see cref="IControlEvents"/> name them on the wire.</summary>
    public static class Methods
    {
        /// <summary>First call of every client: <c>hello(clientVersion, clientName)</c> → <see cref="HelloResult"/>.</summary>
        public const string Hello = "hello";

        /// <summary><c>status()</c> → <see cref="StatusResult"/>.</summary>
        public const string Status = "status";

        /// <summary><c>join(JoinRequest)</c> → <see cref="StatusResult"/>.</summary>
        public const string Join = "join";

        /// <summary><c>leave()</c> → <see cref="StatusResult"/>.</summary>
        public const string Leave = "leave";

        /// <summary><c>setMuted(bool)</c> → <see cref="StatusResult"/>.</summary>
        public const string SetMuted = "setMuted";

        /// <summary><c>toggleMuted()</c> → <see cref="StatusResult"/>.</summary>
        public const string ToggleMuted = "toggleMuted";

        /// <summary><c>setCamera(bool)</c> → <see cref="StatusResult"/>.</summary>
        public const string SetCamera = "setCamera";

        /// <summary><c>toggleCamera()</c> → <see cref="StatusResult"/>.</summary>
        public const string ToggleCamera = "toggleCamera";

        /// <summary><c>participants()</c> → array of <see cref="ParticipantInfo"/>.</summary>
        public const string Participants = "participants";

        /// <summary><c>setVolume(name, percent)</c> → participants: a participant's playback volume, 0 to 200 percent, for the session.</summary>
        public const string SetVolume = "setVolume";

        /// <summary><c>devices()</c> → <see cref="DevicesResult"/>: cameras and ALSA devices.</summary>
        public const string Devices = "devices";

        /// <summary><c>subscribe()</c>: from then on the daemon sends <see cref="EventNotification"/> notifications.</summary>
        public const string Subscribe = "subscribe";

        /// <summary><c>viewOpen(ViewRequest)</c> → view id: starts a rendered view of the call for this client.</summary>
        public const string ViewOpen = "viewOpen";

        /// <summary>
        /// <c>viewNext(viewId, afterVersion, timeoutMs)</c> → <see cref="ViewFrame"/>: waits until the view changes
        /// (or the timeout), then renders the newest state. A client asks again when it has written the frame,
        /// so a slow terminal skips frames and never builds a backlog.
        /// </summary>
        public const string ViewNext = "viewNext";

        /// <summary><c>viewResize(viewId, columns, rows)</c>: the next frame redraws everything at the new size.</summary>
        public const string ViewResize = "viewResize";

        /// <summary><c>viewClose(viewId)</c>.</summary>
        public const string ViewClose = "viewClose";

        /// <summary>
        /// <c>viewSet(viewId, ViewSettings)</c> → <see cref="ViewSettings"/>: shows or hides the keys over the picture and
        /// sets the view's frame rate (5, 10, 15, 20 or 30, or 0: a frame whenever a picture changes, as a view starts); null
        /// fields stay as they are.
        /// </summary>
        public const string ViewSet = "viewSet";

        /// <summary>
        /// <c>say(text)</c> → <see cref="ChatMessage"/>: sends a chat message to everyone in the session, sealed end to
        /// end; refused with <see cref="ErrorCodes.RateLimited"/> past 20 messages in 10 s.
        /// </summary>
        public const string Say = "say";

        /// <summary>
        /// <c>chat(afterId, timeoutMs)</c> → <see cref="ChatMessage"/>[]: the call's messages after <c>afterId</c> (0: all
        /// that are kept), oldest first, as many as fit in one answer; with none yet, waits up to <c>timeoutMs</c> (at most
        /// 30 000) for the next.
        /// </summary>
        public const string Chat = "chat";

        /// <summary>
        /// <c>shareUpdate(update)</c> → <see cref="ShareAnswer"/>: this client's shared terminal screen changed
        /// (<see cref="ScreenUpdate"/>, base64 in JSON); the daemon checks it and sends it to the call sealed end to end.
        /// One connection shares at a time; its share ends with an update that says so, or when it disconnects.
        /// </summary>
        public const string ShareUpdate = "shareUpdate";

        /// <summary><c>screen(name, ansi)</c> → <see cref="ScreenText"/>: what a member shares now (its text; with colours when asked).</summary>
        public const string Screen = "screen";

        /// <summary>Notification from daemon to a subscribed client, carrying one <see cref="ControlEvent"/>.</summary>
        public const string EventNotification = "event";
    }

    /// <summary>
    /// JSON-RPC error codes the daemon uses for refusals. They are positive, outside the range
    /// -32768..-32000 that JSON-RPC and StreamJsonRpc reserve for themselves.
    /// </summary>
    public static class ErrorCodes
    {
        /// <summary>The client did not call hello first, or its version is incompatible.</summary>
        public const int VersionMismatch = 1;

        /// <summary>An argument is invalid; the message says which and why.</summary>
        public const int InvalidArgument = 2;

        /// <summary>The call is not possible in the current state (for example leave when not in a session).</summary>
        public const int InvalidState = 3;

        /// <summary>The relay refused or could not be reached.</summary>
        public const int RelayError = 4;

        /// <summary>Too many of something in too short a time (chat messages); the message says when to try again.</summary>
        public const int RateLimited = 5;
    }
}
