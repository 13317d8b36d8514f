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
    Action close)
{
    private const int MaxViews = 4;
    private static readonly TimeSpan MaxViewWait = TimeSpan.FromSeconds(30);
    private readonly ILogger _logger = logger;
    private readonly Dictionary<int, ViewHost> _views = [];
    private int _nextView;
    private EventHub.Subscriber? _subscriber;
    private volatile bool _greeted;

    public bool Greeted => _greeted;

    public Func<ControlEvent, Task>? Notify { get; set; }

    [JsonRpcMethod(ControlProtocol.Methods.Hello)]
    public HelloResult Hello(int clientVersion, string? clientName = null)
    {
        if (clientVersion != ControlProtocol.Version)
        {
            throw Refuse(
                ControlProtocol.ErrorCodes.VersionMismatch,
                $"this daemon speaks control protocol {ControlProtocol.Version}, the client {clientVersion}: install matching versions of s2cd and s2c-attach");
        }

        _greeted = true;
        LogHello(clientName is { Length: <= 64 } ? clientName : "?", clientVersion);
        return new HelloResult { ProtocolVersion = ControlProtocol.Version, DaemonVersion = DaemonInfo.Version, Role = daemon.RoleName };
    }

    [JsonRpcMethod(ControlProtocol.Methods.Status)]
    public StatusResult Status()
    {
        RequireHello();
        return parts?.Conference.GetStatus() ?? relayStatus();
    }

    [JsonRpcMethod(ControlProtocol.Methods.Participants)]
    public IReadOnlyList<ParticipantInfo> Participants()
    {
        RequireHello();
        return parts?.Conference.GetParticipants() ?? [];
    }

    [JsonRpcMethod(ControlProtocol.Methods.Devices)]
    public DevicesResult Devices()
    {
        _ = RequireParticipant();
        return DeviceCatalog.List(video, audio);
    }

    [JsonRpcMethod(ControlProtocol.Methods.Join)]
    public async Task<StatusResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
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

    [JsonRpcMethod(ControlProtocol.Methods.Leave)]
    public async Task<StatusResult> LeaveAsync(CancellationToken cancellationToken)
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

    [JsonRpcMethod(ControlProtocol.Methods.SetMuted)]
    public StatusResult SetMuted(bool muted)
    {
        return RequireParticipant().Conference.SetMuted(muted);
    }

    [JsonRpcMethod(ControlProtocol.Methods.SetCamera)]
    public StatusResult SetCamera(bool on)
    {
        return RequireParticipant().Conference.SetCamera(on);
    }

    [JsonRpcMethod(ControlProtocol.Methods.Subscribe)]
    public StatusResult Subscribe()
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

        return Status();
    }

    [JsonRpcMethod(ControlProtocol.Methods.ViewOpen)]
    public int ViewOpen(ViewRequest request)
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
                return _nextView;
            }
            catch (ArgumentException ex)
            {
                throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, ex.Message);
            }
        }
    }

    [JsonRpcMethod(ControlProtocol.Methods.ViewNext)]
    public Task<ViewFrame> ViewNextAsync(int viewId, long afterVersion, int timeoutMs, CancellationToken cancellationToken)
    {
        var view = FindView(viewId);
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(timeoutMs, 0, (int)MaxViewWait.TotalMilliseconds));
        return view.NextAsync(afterVersion, timeout, cancellationToken);
    }

    [JsonRpcMethod(ControlProtocol.Methods.ViewResize)]
    public void ViewResize(int viewId, int columns, int rows)
    {
        try
        {
            FindView(viewId).Resize(columns, rows);
        }
        catch (ArgumentException ex)
        {
            throw Refuse(ControlProtocol.ErrorCodes.InvalidArgument, ex.Message);
        }
    }

    [JsonRpcMethod(ControlProtocol.Methods.ViewClose)]
    public void ViewClose(int viewId)
    {
        ViewHost? view;
        lock (_views)
        {
            _views.Remove(viewId, out view);
        }

        view?.Dispose();
    }

    public void Detach()
    {
        _subscriber?.Dispose();
        lock (_views)
        {
            foreach (var view in _views.Values)
            {
                view.Dispose();
            }

            _views.Clear();
        }
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

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Client {ClientName} said hello with protocol {Version}")]
    private partial void LogHello(string clientName, int version);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Refused a control request: {Reason}")]
    private partial void LogRefused(string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "A control client does not read its events; closing it")]
    private partial void LogSlowSubscriber();
}
