using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Relay.Fabric;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// The relay: accepts daemons on TCP, groups them by session and forwards media and presence between
/// them. Runs in the relay role, and embedded in a participant daemon on loopback.
/// </summary>
internal sealed partial class RelayServer : IHostedService, IAsyncDisposable, IRelayFigures, IRelaySessions
{
    private readonly ILogger<RelayServer> _logger;
    private readonly TimeProvider _time;
    private readonly RelayPlacement _placement;
    private readonly Dictionary<string, RelaySession> _sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _sessionsLock = new();
    private Listener? _listener;
    private RelayTls? _tls;
    private int _nextId;

    /// <param name="cpu">Where the relay's CPU time is read (for tests; default the process's own).</param>
    public RelayServer(IOptions<RelayOptions> options, RelayPlacement placement, TimeProvider time, ILogger<RelayServer> logger, Func<TimeSpan>? cpu = null)
    {
        Options = options.Value;
        _placement = placement;
        _time = time;
        _logger = logger;
        ConnectionOptions = Options.ConnectionOptions();
        Problems = new ConnectionProblems(TimeSpan.FromSeconds(Options.LogSummarySeconds), time, logger);
        Context = new RelayContext(Options, time, new RelayOverload(Options.MaxLoad, time, cpu, Options.TestLoad), Problems, this);
    }

    /// <summary>What the relay's members and sessions are given of it.</summary>
    internal RelayContext Context { get; }

    /// <summary>What the relay has carried and dropped.</summary>
    internal RelayCounters Counters => Context.Counters;

    /// <summary>Refused and failed connections, by cause: counted, and logged one summary line per cause per interval.</summary>
    internal ConnectionProblems Problems { get; }

    /// <summary>The relay's load, and what gives way past its capacity.</summary>
    internal RelayOverload Overload => Context.Overload;

    public RelayOptions Options { get; }

    public FrameConnectionOptions ConnectionOptions { get; }

    /// <summary>The SHA-256 fingerprint of the relay's TLS certificate, or null for plain TCP or when it does not run.</summary>
    public string? CertificateFingerprint => _tls?.Fingerprint;

    /// <summary>The endpoint the relay listens on, once started; null when it does not run.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    public int ConnectionCount => _listener?.Count ?? 0;

    /// <summary>The link to the other relays of its fabric (Relay:Fabric), when it has one.</summary>
    internal RelayFabric? Fabric { get; private set; }

    /// <summary>The UDP side on the listener's port, when it runs (Relay:Udp and the port was free).</summary>
    internal RelayDatagrams? Datagrams => Context.Datagrams;

    /// <inheritdoc/>
    public RelayFigures? Figures() => LocalEndPoint is null ? null : new RelayFigures(
        LocalEndPoint.ToString(),
        null,
        null,
        SessionCount,
        ConnectionCount,
        Datagrams?.Received ?? 0,
        Datagrams?.Rejected ?? 0,
        Math.Round(Overload.Load, 1),
        Overload.Busy,
        Overload.VideoShed,
        Fabric is { } f ? new RelayFabricFigures(f.Connected, f.Published, f.Received, f.Rejected, f.Dropped) : null);

    public int SessionCount
    {
        get
        {
            lock (_sessionsLock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>
    /// A member id: with a fabric, this relay's tag (<see cref="FabricTags"/>, held by no other relay of the fabric)
    /// in the top 12 bits, so members on different relays of one session never share an id; then a counter of
    /// 20 bits that is never 0 (0 is nobody).
    /// </summary>
    private uint NextMemberId() => ((Fabric?.Tag ?? 0) << 20) | (((uint)Interlocked.Increment(ref _nextId) % 0xFFFFF) + 1);

    private bool Enabled => _placement.Standalone || Options.Embedded;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        if (Options.Fabric is not null && _placement.Standalone)
        {
            // Before listening: a relay that cannot join its fabric says why and stops, rather than serve alone.
            var login = new FabricLogin(Options.Fabric, Options.FabricKey!, Options.FabricUser, Options.FabricPassword, Options.FabricToken, Options.FabricCredentials)
            {
                Ca = Options.FabricCa,
                Certificate = Options.FabricCertificate,
                CertificateKey = Options.FabricCertificateKey,
            };
            Fabric = await RelayFabric.ConnectAsync(login, _time, _logger, cancellationToken).ConfigureAwait(false);
        }

        var listen = Options.Listen ?? (_placement.Standalone ? "0.0.0.0:1122" : "127.0.0.1:1122");
        var endpoint = Endpoints.Resolve(listen);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
        }
        catch (SocketException ex) when (!_placement.Standalone)
        {
            // Another daemon on this machine may already host the embedded relay; use that one.
            socket.Dispose();
            LogEmbeddedNotStarted(endpoint.ToString(), ex.Message);
            return;
        }

        // The certificate is logged before "listens on", so that whoever waits for the latter has seen the former.
        if (Options.Tls)
        {
            _tls = RelayTls.LoadOrCreate(_placement.StateDirectory, out var created);
            LogCertificate(created ? "made" : "loaded", _tls.Fingerprint, Path.Combine(_placement.StateDirectory, RelayCertificate.FileName));
        }
        else
        {
            LogPlain();
        }

        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        if (_placement.Standalone)
        {
            // Only a relay of its own measures its load: an embedded relay shares its process with the participant's
            // camera, sound and views, whose CPU says nothing of the relay's, and serves a handful of people.
            Overload.Start();
        }

        // The datagram side runs before the first connection is taken, so every member is offered it.
        if (Options.Udp)
        {
            Context.Datagrams = RelayDatagrams.TryStart(LocalEndPoint, _logger);
        }

        // Past MaxConnections a connection is closed before its TLS handshake, unlogged: under a reconnect storm a
        // line each would flood the log.
        _listener = Listener.Start(socket, 512, Options.MaxConnections, HandleConnectionAsync, LogAcceptFailed, static () => { });
        LogListening(_placement.Standalone ? "relay" : "embedded relay", LocalEndPoint.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is not { Stopping: false } listener)
        {
            return;
        }

        Overload.Dispose();
        await listener.StopAsync(cancellationToken).ConfigureAwait(false);
        if (Datagrams is not null)
        {
            await Datagrams.DisposeAsync().ConfigureAwait(false);
        }

        if (Fabric is not null)
        {
            await Fabric.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        _tls?.Dispose();
        Problems.Dispose();
    }

    /// <summary>Puts a member into session <paramref name="name"/> (made if new), queueing its welcome and telling the others.</summary>
    public (RelaySession? Session, (Wire.WireError Code, string Message) Error) AddMember(string name, RelayMember member, Action<WireMember[]> welcome)
    {
        if (Overload.Busy)
        {
            return (null, (WireError.RelayBusy, Overload.BusyReason));
        }

        lock (_sessionsLock)
        {
            if (!_sessions.TryGetValue(name, out var session))
            {
                if (_sessions.Count >= Options.MaxSessions)
                {
                    return (null, (WireError.TooManySessions, $"the relay holds its limit of {Options.MaxSessions} sessions"));
                }

                session = new RelaySession(name, Context);
                if (Fabric is not null)
                {
                    session.Fabric = Fabric.Open(name, session, session.LocalMembers);
                }

                _sessions.Add(name, session);
            }

            if (!session.TryAdd(member, Options.MaxParticipantsPerSession, welcome))
            {
                return (null, (WireError.SessionFull, $"session '{name}' is full ({Options.MaxParticipantsPerSession} participants)"));
            }

            LogJoined(member.Name, member.Id, name, member.Remote);
            return (session, default);
        }
    }

    public void RemoveMember(RelaySession session, RelayMember member)
    {
        lock (_sessionsLock)
        {
            if (session.Remove(member))
            {
                _sessions.Remove(session.Name);
                Fabric?.Close(session.Name);
            }
        }

        LogLeft(member.Name, member.Id, session.Name, member.Connection.CloseReason ?? "closed");
    }

    private async Task HandleConnectionAsync(Socket socket, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        socket.NoDelay = true;

        // Keep the kernel's share of a slow receiver's backlog small: what waits in our queue can still be
        // replaced by newer video or dropped as stale audio; what sits in a socket buffer cannot.
        socket.SendBufferSize = FrameConnection.SocketSendBufferBytes;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (_tls is not null)
        {
            try
            {
                stream = await _tls.AuthenticateAsync(stream, ConnectionOptions.HeartbeatTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
            {
                Problems.Report(ConnectionProblems.TlsHandshakeFailed, remote, ex.Message);
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }
        }

        var connection = new FrameConnection(stream, ConnectionOptions, _time);
        var member = new RelayMember(Context, connection, NextMemberId(), remote);
        try
        {
            // A connection that does not say hello within the heartbeat timeout is dropped.
            _ = Task.Delay(ConnectionOptions.HeartbeatTimeout, _time, connection.Closed).ContinueWith(
                _ =>
                {
                    if (member.Session is null)
                    {
                        Problems.Report(ConnectionProblems.NoHello, remote, $"nothing joined within {ConnectionOptions.HeartbeatTimeout.TotalSeconds:0.#} s");
                        connection.Abort("no hello in time");
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
            await connection.RunAsync(member.OnFrame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Problems.Report(ConnectionProblems.ConnectionFailed, remote, ex.Message);
        }
        finally
        {
            if (connection.ProtocolViolation)
            {
                Problems.Report(ConnectionProblems.InvalidFrame, remote, connection.CloseReason ?? "?");
            }

            member.Detach();
            Counters.AddEndedQueue(connection.Queue.Dropped, connection.Queue.FullDropped, connection.Queue.StaleDropped);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = RelayLogEvents.Certificate, Level = LogLevel.Information, Message = "Relay TLS certificate {Action}: {Fingerprint} ({Path})")]
    private partial void LogCertificate(string action, string fingerprint, string path);

    [LoggerMessage(EventId = RelayLogEvents.Plain, Level = LogLevel.Warning, Message = "The relay serves plain TCP (Relay:Tls is false): links to it are not encrypted")]
    private partial void LogPlain();

    [LoggerMessage(EventId = RelayLogEvents.RelayServerListening, Level = LogLevel.Information, Message = "The {Kind} listens on {Endpoint}")]
    private partial void LogListening(string kind, string endpoint);

    [LoggerMessage(EventId = RelayLogEvents.EmbeddedNotStarted, Level = LogLevel.Warning, Message = "The embedded relay did not start on {Endpoint}: {Reason}. Another daemon may host it; joins use the configured relay")]
    private partial void LogEmbeddedNotStarted(string endpoint, string reason);

    [LoggerMessage(EventId = RelayLogEvents.Joined, Level = LogLevel.Information, Message = "{Name} (#{Id}) joined session {Session} from {Remote}")]
    private partial void LogJoined(string name, uint id, string session, string remote);

    [LoggerMessage(EventId = RelayLogEvents.Left, Level = LogLevel.Information, Message = "{Name} (#{Id}) left session {Session}: {Reason}")]
    private partial void LogLeft(string name, uint id, string session, string reason);

    [LoggerMessage(EventId = RelayLogEvents.AcceptFailed, Level = LogLevel.Warning, Message = "Accept failed: {Reason}")]
    private partial void LogAcceptFailed(string reason);
}
