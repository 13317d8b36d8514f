using PolyType;
using StreamJsonRpc;

namespace S2cd.Contract;

/// <summary>
/// The control API of <c>s2cd</c>, spoken over its Unix socket as newline-delimited JSON-RPC 2.0 with positional
/// arguments. The daemon implements it; <c>s2c-attach</c> calls it through the proxy StreamJsonRpc generates at
/// build time. A client must call <see cref="HelloAsync"/> first. Refusals are JSON-RPC errors with a code of
/// <see cref="ControlProtocol.ErrorCodes"/> and a message that says why; a refused call changes nothing.
/// </summary>
[JsonRpcContract]
[GenerateShape(IncludeMethods = MethodShapeFlags.PublicInstance)]
public partial interface IControlService
{
    /// <summary><c>hello(clientVersion, clientName)</c>: the client's protocol version (<see cref="ControlProtocol.Version"/>).</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Hello)]
    Task<HelloResult> HelloAsync(int clientVersion, string? clientName = null, CancellationToken cancellationToken = default);

    /// <summary><c>status()</c>.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Status)]
    Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary><c>join(request)</c>: joins a session (a daemon in one leaves it first).</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Join)]
    Task<StatusResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>leave()</c>.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Leave)]
    Task<StatusResult> LeaveAsync(CancellationToken cancellationToken = default);

    /// <summary><c>setMuted(muted)</c>: the microphone muted or not, whatever it was.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.SetMuted)]
    Task<StatusResult> SetMutedAsync(bool muted, CancellationToken cancellationToken = default);

    /// <summary><c>toggleMuted()</c>: muted if it was not, and the other way round, in one step (two terminals pressing m at once do not undo each other's read).</summary>
    [JsonRpcMethod(ControlProtocol.Methods.ToggleMuted)]
    Task<StatusResult> ToggleMutedAsync(CancellationToken cancellationToken = default);

    /// <summary><c>setCamera(on)</c>.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.SetCamera)]
    Task<StatusResult> SetCameraAsync(bool on, CancellationToken cancellationToken = default);

    /// <summary><c>toggleCamera()</c>: the camera on if it was off, and the other way round, in one step.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.ToggleCamera)]
    Task<StatusResult> ToggleCameraAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>setVolume(name, percent)</c>: plays the participant called <paramref name="name"/> at <paramref name="percent"/>
    /// of their level (0 to 200) for the rest of the session; returns everyone, as <c>participants()</c>.
    /// </summary>
    [JsonRpcMethod(ControlProtocol.Methods.SetVolume)]
    Task<ParticipantInfo[]> SetVolumeAsync(string name, int percent, CancellationToken cancellationToken = default);

    /// <summary><c>participants()</c>: everyone in the session, this daemon first.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Participants)]
    Task<ParticipantInfo[]> ParticipantsAsync(CancellationToken cancellationToken = default);

    /// <summary><c>devices()</c>: cameras and ALSA devices.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Devices)]
    Task<DevicesResult> DevicesAsync(CancellationToken cancellationToken = default);

    /// <summary><c>subscribe()</c>: from then on the daemon sends <see cref="IControlEvents.Event"/> notifications.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Subscribe)]
    Task<StatusResult> SubscribeAsync(CancellationToken cancellationToken = default);

    /// <summary><c>viewOpen(request)</c> → view id: a rendered view of the call for this client.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.ViewOpen)]
    Task<int> ViewOpenAsync(ViewRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>viewNext(viewId, afterVersion, timeoutMs)</c>: waits until the view changes (or the timeout), then renders the
    /// newest state. A client asks again when it has written the frame, so a slow terminal skips frames.
    /// </summary>
    [JsonRpcMethod(ControlProtocol.Methods.ViewNext)]
    Task<ViewFrame> ViewNextAsync(int viewId, long afterVersion, int timeoutMs, CancellationToken cancellationToken = default);

    /// <summary><c>viewResize(viewId, columns, rows)</c>: the next frame redraws everything at the new size.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.ViewResize)]
    Task ViewResizeAsync(int viewId, int columns, int rows, CancellationToken cancellationToken = default);

    /// <summary><c>viewClose(viewId)</c>.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.ViewClose)]
    Task ViewCloseAsync(int viewId, CancellationToken cancellationToken = default);

    /// <summary><c>say(text)</c>: a chat message to everyone in the session (at most 4 KiB of UTF-8, 20 in 10 s).</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Say)]
    Task<ChatMessage> SayAsync(string text, CancellationToken cancellationToken = default);

    /// <summary><c>chat(afterId, timeoutMs)</c>: the call's messages after <paramref name="afterId"/>, waiting for the next when there are none.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Chat)]
    Task<ChatMessage[]> ChatAsync(long afterId, int timeoutMs, CancellationToken cancellationToken = default);

    /// <summary><c>shareUpdate(update)</c>: a change of the terminal this client shares (<see cref="ScreenUpdate"/>).</summary>
    [JsonRpcMethod(ControlProtocol.Methods.ShareUpdate)]
    Task<ShareAnswer> ShareUpdateAsync(byte[] update, CancellationToken cancellationToken = default);

    /// <summary><c>screen(name, ansi)</c>: the screen <paramref name="name"/> shares now.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.Screen)]
    Task<ScreenText> ScreenAsync(string name, bool ansi, CancellationToken cancellationToken = default);

    /// <summary><c>viewSet(viewId, settings)</c> → the view's settings: the keys over the picture, the frame rate.</summary>
    [JsonRpcMethod(ControlProtocol.Methods.ViewSet)]
    Task<ViewSettings> ViewSetAsync(int viewId, ViewSettings settings, CancellationToken cancellationToken = default);
}

/// <summary>What the daemon tells a subscribed client: notifications, never answered.</summary>
[JsonRpcContract]
[GenerateShape(IncludeMethods = MethodShapeFlags.PublicInstance)]
public partial interface IControlEvents
{
    /// <summary><c>event(controlEvent)</c>: something changed (a participant, the connection, the daemon's state).</summary>
    [JsonRpcMethod(ControlProtocol.Methods.EventNotification)]
    void Event(ControlEvent controlEvent);
}
