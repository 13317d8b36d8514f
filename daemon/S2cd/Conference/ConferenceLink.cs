using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Contract;
using S2cd.Control;
using S2cd.Hosting;
using S2cd.Relay;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// This daemon's membership of a session: the link to the relay, the member list, and our own
/// mute and camera state. The link reconnects with backoff when the relay goes away and joins the
/// session again by itself; a refusal from the relay ends it with the reason in <see cref="GetStatus"/>.
/// </summary>
internal sealed partial class ConferenceLink : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly ConferenceOptions _options;
    private readonly DaemonOptions _daemon;
    private readonly RelayServer _relayServer;
    private readonly EventHub _events;
    private readonly TimeProvider _time;
    private readonly ILogger<ConferenceLink> _logger;
    private readonly SemaphoreSlim _joinGate = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, ParticipantInfo> _members = [];
    private readonly FrameConnectionOptions _connectionOptions;
    private ConnectionState _state = ConnectionState.Idle;
    private string? _reason;
    private string? _session;
    private string? _relay;
    private string _name;
    private bool _muted;
    private bool _cameraOn = true;
    private uint _selfId;
    private FrameConnection? _connection;
    private CancellationTokenSource? _runCancellation;
    private Task? _runTask;

    public ConferenceLink(
        IOptions<ConferenceOptions> options,
        IOptions<DaemonOptions> daemon,
        RelayServer relayServer,
        EventHub events,
        TimeProvider time,
        ILogger<ConferenceLink> logger)
    {
        _options = options.Value;
        _daemon = daemon.Value;
        _relayServer = relayServer;
        _events = events;
        _time = time;
        _logger = logger;
        _name = _options.ResolveName();
        _connectionOptions = new FrameConnectionOptions
        {
            MaxFrameBytes = relayServer.Options.MaxFrameBytes,
            QueueCapacity = relayServer.Options.QueueCapacity,
            AudioMaxAge = TimeSpan.FromMilliseconds(relayServer.Options.AudioMaxAgeMilliseconds),
            HeartbeatInterval = TimeSpan.FromSeconds(relayServer.Options.HeartbeatSeconds),
            HeartbeatTimeout = TimeSpan.FromSeconds(relayServer.Options.TimeoutSeconds),
        };
    }

    /// <summary>Media frames received from other members (the media pipelines consume them).</summary>
    public long MediaReceived { get; private set; }

    public StatusResult GetStatus()
    {
        lock (_lock)
        {
            return StatusLocked();
        }
    }

    public IReadOnlyList<ParticipantInfo> GetParticipants()
    {
        lock (_lock)
        {
            var list = new List<ParticipantInfo>(_members.Count + 1);
            if (_session is not null)
            {
                list.Add(SelfLocked());
            }

            list.AddRange(_members.Values.OrderBy(m => m.Id));
            return list;
        }
    }

    /// <summary>
    /// Joins <paramref name="request"/>'s session, leaving the current one first when it differs. Completes
    /// when the relay has welcomed us; throws <see cref="ConferenceException"/> when it refused or cannot be reached.
    /// </summary>
    public async Task<StatusResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        var relay = request.Relay ?? _options.Relay;
        var problem = NameRules.CheckSession(request.Session)
            ?? (request.Name is null ? null : NameRules.CheckDisplayName(request.Name))
            ?? NameRules.CheckPassphrase(request.Passphrase)
            ?? (NameRules.TryParseEndpoint(relay, out _, out _) is { } relayProblem ? $"relay: {relayProblem}" : null);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }

        await _joinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                if (_session == request.Session && _relay == relay && (request.Name is null || request.Name == _name)
                    && _state is ConnectionState.Connected or ConnectionState.Reconnecting)
                {
                    return StatusLocked();
                }
            }

            await StopRunAsync(sendLeave: true).ConfigureAwait(false);
            var welcomed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var run = new CancellationTokenSource();
            lock (_lock)
            {
                _session = request.Session;
                _relay = relay;
                _name = request.Name ?? _name;
                _members.Clear();
                _selfId = 0;
                _reason = null;
                _runCancellation = run;
            }

            SetState(ConnectionState.Connecting, null);
            _runTask = RunAsync(relay, welcomed, run.Token);
            using var registration = cancellationToken.Register(() => welcomed.TrySetCanceled(cancellationToken));
            await welcomed.Task.ConfigureAwait(false);
            return GetStatus();
        }
        finally
        {
            _joinGate.Release();
        }
    }

    public async Task<StatusResult> LeaveAsync(CancellationToken cancellationToken)
    {
        await _joinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                if (_session is null)
                {
                    throw new InvalidOperationException("not in a session");
                }
            }

            await StopRunAsync(sendLeave: true).ConfigureAwait(false);
            return GetStatus();
        }
        finally
        {
            _joinGate.Release();
        }
    }

    public StatusResult SetMuted(bool muted)
    {
        lock (_lock)
        {
            _muted = muted;
        }

        return AfterOwnChange();
    }

    public StatusResult SetCamera(bool on)
    {
        lock (_lock)
        {
            _cameraOn = on;
        }

        return AfterOwnChange();
    }

    public async ValueTask DisposeAsync()
    {
        await StopRunAsync(sendLeave: true).ConfigureAwait(false);
        _joinGate.Dispose();
    }
}
