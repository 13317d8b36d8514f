using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using S2cd.Security;
using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Transport.RelayLink;

/// <summary>
/// One stay in a session over the relay link: connects, secures, says hello, hands what the relay forwards to the
/// core, and after a loss reconnects with backoff and joins again. A refusal, a changed relay certificate, or a
/// first join that never got in end it: the core hears why, and <see cref="Welcomed"/> faults.
/// </summary>
internal sealed partial class TlsRelayLink : ITransportLink
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LeaveWait = TimeSpan.FromMilliseconds(500);
    private readonly TransportJoin _join;
    private readonly RelayLinkOptions _options;
    private readonly KnownRelays _knownRelays;
    private readonly ITransportEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _welcomed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Task _run;
    private readonly Lock _deliver = new();
    private readonly RelayRotation _relays;
    private readonly LinkDatagrams _datagrams;
    private FrameConnection? _connection;
    private bool _joined;

    public TlsRelayLink(TransportJoin join, RelayLinkOptions options, KnownRelays knownRelays, ITransportEvents events, TimeProvider time, ILogger logger)
    {
        _join = join;
        _relays = new RelayRotation(join.Relays);
        _options = options;
        _knownRelays = knownRelays;
        _events = events;
        _time = time;
        _logger = logger;
        _datagrams = new LinkDatagrams(options.Udp, DeliverMedia, time, logger);
        _run = RunAsync(_stop.Token);
    }

    public Task Welcomed => _welcomed.Task;

    public string Relay => _relays.Current;

    public TimeSpan? RoundTrip
    {
        get
        {
            lock (_lock)
            {
                return _connection?.RoundTrip;
            }
        }
    }

    public void SendPresence(MemberFlags flags, string name) =>
        JoinedConnection()?.SendControl((flags, name), static (w, s) => FrameWriter.WriteState(w, s.flags, s.name));

    public void SendSignal(uint target, byte[] payload)
    {
        FrameConnection? connection;
        lock (_lock)
        {
            connection = _connection;
        }

        connection?.SendControl((target, payload), static (w, s) => FrameWriter.WriteSignal(w, FrameType.Signal, s.target, new ReadOnlySequence<byte>(s.payload)));
    }

    public void SendMedia(MediaKind kind, ReadOnlySpan<byte> payload, IMediaSealer? sealer)
    {
        if (JoinedConnection() is not { } connection)
        {
            return;
        }

        var length = sealer?.SealedLength(payload.Length) ?? payload.Length;
        if (_datagrams.TrySend(kind, payload, sealer, length))
        {
            return;
        }

        var frame = SharedFrame.Rent(WireProtocol.LengthPrefixBytes + 2 + length);
        var span = FrameWriter.BeginMedia(frame, kind, length);
        MediaSealing.Seal(kind, payload, sealer, span);
        frame.Advance(WireProtocol.LengthPrefixBytes + 2 + length);
        connection.SendMedia(frame, kind, 0);
    }

    public async Task LeaveAsync()
    {
        FrameConnection? connection;
        lock (_lock)
        {
            connection = _connection;
        }

        if (connection is not null && !_stop.IsCancellationRequested)
        {
            // Tell the relay at once, so the others see us go now rather than at the heartbeat timeout.
            connection.SendControl(0, static (w, _) => FrameWriter.WriteEmpty(w, FrameType.Leave));
            await Task.WhenAny(_run, Task.Delay(LeaveWait, _time)).ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _run.ConfigureAwait(false);
        _welcomed.TrySetCanceled();
    }

    private FrameConnection? JoinedConnection()
    {
        lock (_lock)
        {
            return _joined ? _connection : null;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var attempt = 0;
        var tried = 1;
        while (!cancellationToken.IsCancellationRequested)
        {
            var outcome = await ConnectAndRunAsync(cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (outcome.Joined)
            {
                attempt = 0;
                tried = 1;
            }

            if (TakesTheNextRelay(outcome) && tried < _relays.Count)
            {
                // Busy, full of sessions, going away, or (before we were ever let in) out of reach: the next relay of
                // the list, at once. Once let in, a lost link comes back to the same relay, which holds the session.
                var from = Relay;
                tried++;
                _relays.Next();
                LogNextRelay(from, outcome.Reason, Relay);
                continue;
            }

            if (outcome.Refused || !_welcomed.Task.IsCompletedSuccessfully)
            {
                // A refusal is final, and so is a first join that never got in: the user hears about it at once.
                var message = outcome.Refused ? $"relay {Relay} refused: {outcome.Reason}" : $"cannot reach relay {Relay}: {outcome.Reason}";
                await _events.OnLinkLostAsync(message, final: true).ConfigureAwait(false);
                LogLinkFailed(message);
                _welcomed.TrySetException(new LinkFailedException(message, outcome.Refused));
                return;
            }

            if (!outcome.Joined && _relays.Count > 1)
            {
                // The relay that had us cannot be reached again: the next attempt goes to the next of the list
                // (on a fabric the session is there too).
                _relays.Next();
            }

            var delay = ReconnectBackoff.Delay(attempt++, _options.ReconnectMax, Random.Shared.NextDouble());
            await _events.OnLinkLostAsync(outcome.Reason, final: false).ConfigureAwait(false);
            LogReconnecting(Relay, outcome.Reason, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private bool TakesTheNextRelay((string Reason, bool Refused, WireError Code, bool Joined) outcome) =>
        outcome.Refused
            ? outcome.Code is WireError.RelayBusy or WireError.TooManySessions or WireError.ShuttingDown
            : !_welcomed.Task.IsCompletedSuccessfully;

    /// <summary>One connection, its failures to connect turned into a reason.</summary>
    private async Task<(string Reason, bool Refused, WireError Code, bool Joined)> ConnectAndRunAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ConnectOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ("stopped", false, default, false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ArgumentException)
        {
            return (ex is OperationCanceledException ? "timed out connecting to the relay" : ex.Message, false, default, false);
        }
    }

    /// <summary>One connection to the relay, from connect to close: why it ended, whether the relay refused us, whether it let us in.</summary>
    private async Task<(string Reason, bool Refused, WireError Code, bool Joined)> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        var (stream, problem, final) = await SecureAsync(await ConnectAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return (problem!, final, default, false);
        }

        var connection = new FrameConnection(stream, _options.Connection, _time);
        string? refusal = null;
        var code = default(WireError);
        var joined = false;
        await using (connection.ConfigureAwait(false))
        {
            var (flags, name) = _events.Presence();
            lock (_lock)
            {
                _connection = connection;
            }

            connection.SendControl((flags, _join.Session, name), static (w, s) => FrameWriter.WriteHello(w, s.flags, s.Session, s.name));
            try
            {
                await connection.RunAsync(
                    (type, body) =>
                    {
                        if (type == FrameType.Error)
                        {
                            (code, refusal) = FrameReader.ReadError(body);
                            connection.Abort(refusal);
                            return;
                        }

                        joined |= OnFrame(type, body);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                {
                    _connection = null;
                    _joined = false;
                }

                await _datagrams.EndAsync().ConfigureAwait(false);
            }

            return (refusal ?? connection.CloseReason ?? "connection closed", refusal is not null, code, joined);
        }
    }

    /// <summary>TLS with the relay's certificate pinned (or plain, when configured): the stream, or why not and whether that is final.</summary>
    private async Task<(Stream? Stream, string? Problem, bool Final)> SecureAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (!_options.Tls)
        {
            _events.OnSecured(LinkSecurity.Plain);
            return (stream, null, false);
        }

        var (configured, source) = _join.RelayFingerprint is { } given ? (given, "join --relay-fingerprint") : (_options.RelayFingerprint, "Conference:RelayFingerprint");
        var pinned = await RelayPinning.SecureAsync(stream, Relay, configured, source, _knownRelays, ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (pinned.Stream is null)
        {
            // A changed certificate is final, like a refusal: retrying cannot fix it and must not hide it.
            return (null, pinned.Problem, pinned.Mismatch);
        }

        if (pinned.PinnedAtFirstUse)
        {
            LogRelayPinned(Relay, pinned.Fingerprint!, _knownRelays.Path);
        }

        _events.OnSecured(new LinkSecurity(true, pinned.Fingerprint));
        return (pinned.Stream, null, false);
    }

    private async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var endpoint = Endpoints.Resolve(Relay);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            SendBufferSize = FrameConnection.SocketSendBufferBytes,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            _datagrams.Connected((IPEndPoint?)socket.RemoteEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Hands one frame from the relay to the core; true for the welcome.</summary>
    private bool OnFrame(FrameType type, ReadOnlySequence<byte> body)
    {
        switch (type)
        {
            case FrameType.Welcome:
                var (version, selfId, members) = FrameReader.ReadWelcome(body, 1024);
                if (version != WireProtocol.Version)
                {
                    throw new WireProtocolException(WireError.VersionMismatch, $"relay speaks wire protocol {version}, this daemon {WireProtocol.Version}");
                }

                lock (_lock)
                {
                    _joined = true;
                }

                _events.OnWelcome(selfId, members);
                _welcomed.TrySetResult();
                return true;
            case FrameType.Presence:
                var (ev, member) = FrameReader.ReadPresence(body);
                _events.OnPresence(ev, member);
                return false;
            case FrameType.MediaForward:
                var (sender, kind, payload) = FrameReader.ReadMediaForward(body);
                DeliverMedia(sender, kind, payload);
                return false;
            case FrameType.DatagramSetup:
                var (token, key) = FrameReader.ReadDatagramSetup(body);
                OfferedDatagrams(token, key);
                return false;
            case FrameType.SignalForward:
                var (from, signal) = FrameReader.ReadSignal(body);
                _events.OnSignal(from, signal);
                return false;
            default:
                throw new WireProtocolException(WireError.UnexpectedFrame, $"unexpected frame type 0x{(byte)type:x2} from the relay");
        }
    }

    [LoggerMessage(EventId = LogEvents.NextRelay, Level = LogLevel.Warning, Message = "Relay {Relay}: {Reason}; trying {Next}")]
    private partial void LogNextRelay(string relay, string reason, string next);

    [LoggerMessage(EventId = LogEvents.Reconnecting, Level = LogLevel.Warning, Message = "Lost relay {Relay}: {Reason}; reconnecting in {Seconds:0.0} s")]
    private partial void LogReconnecting(string relay, string reason, double seconds);

    [LoggerMessage(EventId = LogEvents.LinkFailed, Level = LogLevel.Warning, Message = "{Message}")]
    private partial void LogLinkFailed(string message);

    [LoggerMessage(EventId = LogEvents.RelayPinned, Level = LogLevel.Information, Message = "Pinned relay {Relay} at first use: {Fingerprint} (in {Path})")]
    private partial void LogRelayPinned(string relay, string fingerprint, string path);
}
