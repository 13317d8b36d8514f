using Microsoft.Extensions.Logging;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Video;
using StreamJsonRpc;

namespace S2cd.Control;

/// <summary>
/// The JSON-RPC methods one control client may call. The client must say <c>hello</c> with a
/// compatible version before anything else. Every argument is validated here or in the conference
/// link; a bad one is answered with an error and changes nothing.
/// </summary>
internal sealed partial class ControlSession(
    ConferenceParts? parts,
    Func<StatusResult> relayStatus,
    EventHub events,
    DaemonOptions daemon,
    VideoOptions video,
    Audio.AudioOptions audio,
    TimeProvider time,
    ILogger logger,
    Action close) : IControlService
{
    private const int MaxViews = 4;
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
    private readonly ILogger _logger = logger;
    private readonly Dictionary<int, ViewHost> _views = [];
    private int _nextView;
    private EventHub.Subscriber? _subscriber;
    private volatile bool _greeted;

    public bool Greeted => _greeted;

    public Func<ControlEvent, Task>? Notify { get; set; }

    public Task<HelloResult> HelloAsync(int clientVersion, string? clientName = null, CancellationToken cancellationToken = default)
    {
        if (clientVersion != ControlProtocol.Version)
        {
            throw Refuse(
                ControlProtocol.ErrorCodes.VersionMismatch,
                $"this daemon speaks control protocol {ControlProtocol.Version}, the client {clientVersion}: install matching versions of s2cd and s2c-attach");
        }

        _greeted = true;
        LogHello(clientName is { Length: <= 64 } ? clientName : "?", clientVersion);
        return Task.FromResult(new HelloResult { ProtocolVersion = ControlProtocol.Version, DaemonVersion = DaemonInfo.Version, Role = daemon.Role });
    }

    public Task<StatusResult> StatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(Status());

    public Task<ParticipantInfo[]> ParticipantsAsync(CancellationToken cancellationToken = default)
    {
        RequireHello();
        return Task.FromResult(parts?.Conference.GetParticipants().ToArray() ?? []);
    }

    public Task<DevicesResult> DevicesAsync(CancellationToken cancellationToken = default)
    {
        _ = RequireParticipant();
        return Task.FromResult(DeviceCatalog.List(video, audio));
    }

    public async Task<StatusResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        if (request is null)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, "join needs a session");
        }

        try
        {
            return await participant.Conference.JoinAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, ex.Message);
        }
        catch (ConferenceException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.RelayError, ex.Message);
        }
    }

    public async Task<StatusResult> LeaveAsync(CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        try
        {
            return await participant.Conference.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidState, ex.Message);
        }
    }

    public Task<StatusResult> SetMutedAsync(bool muted, CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireParticipant().Conference.SetMuted(muted));

    public Task<StatusResult> ToggleMutedAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireParticipant().Conference.SetMuted(null));

    public Task<StatusResult> SetCameraAsync(bool on, CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireParticipant().Conference.SetCamera(on));

    public Task<StatusResult> ToggleCameraAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(RequireParticipant().Conference.SetCamera(null));

    public Task<ParticipantInfo[]> SetVolumeAsync(string name, int percent, CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        if (string.IsNullOrEmpty(name) || name.Length > NameRules.MaxDisplayNameLength)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, "setVolume needs the name of someone in the session");
        }

        return Answer(() => participant.Conference.SetVolume(name, percent).ToArray());
    }

    public Task<ChatMessage> SayAsync(string text, CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        return Answer(() => participant.Conference.Texts.Say(text));
    }

    public Task<ChatMessage[]> ChatAsync(long afterId, int timeoutMs, CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        if (afterId < 0)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, "afterId must be 0 or a message's id");
        }

        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(timeoutMs, 0, (int)MaxWait.TotalMilliseconds));
        return participant.Conference.Texts.Chat.NextAsync(afterId, timeout, cancellationToken);
    }

    public Task<ShareAnswer> ShareUpdateAsync(byte[] update, CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        if (update is null || update.Length > ScreenUpdate.MaxBytes)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, $"a screen update is at most {ScreenUpdate.MaxBytes} bytes");
        }

        return Answer(() => participant.Conference.Texts.Share(this, update));
    }

    public Task<ScreenText> ScreenAsync(string name, bool ansi, CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        return Answer(() => participant.Conference.Texts.ScreenOf(participant.Conference.GetParticipants(), name ?? string.Empty, ansi));
    }

    /// <summary>The answer of <paramref name="call"/>, or its refusal as the error code that says what kind it is.</summary>
    private Task<T> Answer<T>(Func<T> call)
    {
        try
        {
            return Task.FromResult(call());
        }
        catch (ArgumentException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidState, ex.Message);
        }
        catch (RateLimitException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.RateLimited, ex.Message);
        }
    }

    public Task<StatusResult> SubscribeAsync(CancellationToken cancellationToken = default)
    {
        RequireHello();
        if (_subscriber is null)
        {
            _subscriber = events.Subscribe(() =>
            {
                LogSlowSubscriber();
                close();
            });
            _ = PumpAsync(_subscriber);
        }

        return Task.FromResult(Status());
    }

    public Task<int> ViewOpenAsync(ViewRequest request, CancellationToken cancellationToken = default)
    {
        var participant = RequireParticipant();
        if (request is null)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, "viewOpen needs a request");
        }

        lock (_views)
        {
            if (_views.Count >= MaxViews)
            {
                throw Refuse(ControlProtocol.ErrorCodes.InvalidState, $"at most {MaxViews} views per connection");
            }

            try
            {
                var view = ViewHost.Open(participant.Conference, participant.Pictures, time, request);
                _views.Add(++_nextView, view);
                return Task.FromResult(_nextView);
            }
            catch (ArgumentException ex)
            {
                throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, ex.Message);
            }
        }
    }

    public Task<ViewFrame> ViewNextAsync(int viewId, long afterVersion, int timeoutMs, CancellationToken cancellationToken = default)
    {
        var view = FindView(viewId);
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(timeoutMs, 0, (int)MaxWait.TotalMilliseconds));
        return view.NextAsync(afterVersion, timeout, cancellationToken);
    }

    public Task ViewResizeAsync(int viewId, int columns, int rows, CancellationToken cancellationToken = default)
    {
        try
        {
            FindView(viewId).Resize(columns, rows);
            return Task.CompletedTask;
        }
        catch (ArgumentException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, ex.Message);
        }
    }

    public Task<ViewSettings> ViewSetAsync(int viewId, ViewSettings settings, CancellationToken cancellationToken = default)
    {
        var view = FindView(viewId);
        if (settings is null)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, "viewSet needs settings");
        }

        try
        {
            return Task.FromResult(view.Set(settings));
        }
        catch (ArgumentException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, ex.Message);
        }
    }

    public Task ViewCloseAsync(int viewId, CancellationToken cancellationToken = default)
    {
        ViewHost? view;
        lock (_views)
        {
            _views.Remove(viewId, out view);
        }

        view?.Dispose();
        return Task.CompletedTask;
    }

    public void Detach()
    {
        _subscriber?.Dispose();
        parts?.Conference.Texts.EndShare(this);
        lock (_views)
        {
            foreach (var view in _views.Values)
            {
                view.Dispose();
            }

            _views.Clear();
        }
    }

    private StatusResult Status()
    {
        RequireHello();
        return parts?.Conference.GetStatus() ?? relayStatus();
    }

    private ViewHost FindView(int viewId)
    {
        RequireHello();
        lock (_views)
        {
            return _views.TryGetValue(viewId, out var view)
                ? view
                : throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, $"no view {viewId} on this connection");
        }
    }

    private async Task PumpAsync(EventHub.Subscriber subscriber)
    {
        try
        {
            await foreach (var controlEvent in subscriber.Channel.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (Notify is { } notify)
                {
                    await notify(controlEvent).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ConnectionLostException or IOException or OperationCanceledException)
        {
            // The client went away; the connection's end cleans up.
        }
    }

    private void RequireHello()
    {
        if (!_greeted)
        {
            throw Refuse(ControlProtocol.ErrorCodes.VersionMismatch, "call hello with the client's protocol version first");
        }
    }

    /// <summary>The conference core, which only a participant has: a relay-role daemon refuses what needs it.</summary>
    private ConferenceParts RequireParticipant()
    {
        RequireHello();
        return parts ?? throw Refuse(ControlProtocol.ErrorCodes.InvalidState, "this daemon runs as a relay; it does not join sessions");
    }

    private LocalRpcException Refuse(int code, string message)
    {
        LogRefused(message);
        return new LocalRpcException(message) { ErrorCode = code };
    }

    [LoggerMessage(EventId = LogEvents.Hello, Level = LogLevel.Debug, Message = "Client {ClientName} said hello with protocol {Version}")]
    private partial void LogHello(string clientName, int version);

    [LoggerMessage(EventId = LogEvents.ControlSessionRefused, Level = LogLevel.Information, Message = "Refused a control request: {Reason}")]
    private partial void LogRefused(string reason);

    [LoggerMessage(EventId = LogEvents.SlowSubscriber, Level = LogLevel.Warning, Message = "A control client does not read its events; closing it")]
    private partial void LogSlowSubscriber();
}
