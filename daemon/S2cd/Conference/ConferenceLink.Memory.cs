using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Transport;
using S2cd.Transport.RelayLink;

namespace S2cd.Conference;

/// <summary>
/// The call remembered across a restart: written when the relay lets us in and whenever mute or camera change,
/// stamped while we are in the call, forgotten on leave. At start a fresh memory is joined again with the same
/// identity, mute and camera state, and new media keys as on any join.
/// </summary>
internal sealed partial class ConferenceLink
{
    /// <summary>How often the memory is stamped while in a call: a crash loses at most this much of the window.</summary>
    private static readonly TimeSpan MemoryStamp = TimeSpan.FromSeconds(10);

    private readonly Lock _memoryGate = new();
    private SessionMemory? _memory;
    private ITimer? _memoryTimer;
    private CancellationTokenSource? _rejoin;
    private double? _rejoinedAfterSeconds;

    private void StartMemory()
    {
        if (_identity is null)
        {
            return;
        }

        _memory = new SessionMemory(_daemon.ResolvedStateDirectory, _logger);
        if (_options.RejoinWindow <= TimeSpan.Zero)
        {
            _memory.Forget();
            _memory = null;
            return;
        }

        var every = TimeSpan.FromTicks(Math.Min(MemoryStamp.Ticks, _options.RejoinWindow.Ticks / 4));
        _memoryTimer = _time.CreateTimer(_ => Remember(), null, every, every);
    }

    /// <summary>Writes what a restart needs, stamped now, while we are in a call (let in, or reconnecting to it).</summary>
    private void Remember()
    {
        lock (_memoryGate)
        {
            if (_memory is null)
            {
                return;
            }

            RememberedCall? call;
            lock (_lock)
            {
                call = _session is not null && _relay is not null && _state is ConnectionState.Connected or ConnectionState.Reconnecting
                    ? new RememberedCall
                    {
                        Session = _session,
                        Relay = _relay,
                        Name = _name,
                        Muted = _muted,
                        CameraOn = _cameraOn,
                        PassphraseKey = _passphraseKey is null ? null : Convert.ToBase64String(_passphraseKey),
                        InCallUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
                    }
                    : null;
            }

            if (call is not null)
            {
                _memory.Save(call);
            }
        }
    }

    private void ForgetCall()
    {
        lock (_memoryGate)
        {
            _memory?.Forget();
        }
    }

    /// <summary>A join or leave asked for by a person replaces a rejoin still trying.</summary>
    private void CancelRejoin()
    {
        lock (_memoryGate)
        {
            _rejoin?.Cancel();
        }
    }

    /// <summary>
    /// At start: joins the remembered call again when it is fresh. While the relay cannot be reached, tries again
    /// with backoff until the window is spent; a refusal ends it. Either way an end forgets the memory.
    /// </summary>
    public async Task RejoinAsync(CancellationToken stopping)
    {
        RememberedCall? call;
        CancellationTokenSource rejoin;
        lock (_memoryGate)
        {
            call = _memory?.Load();
            if (call is null)
            {
                return;
            }

            rejoin = _rejoin = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        }

        try
        {
            await RejoinAsync(call, rejoin.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_memoryGate)
            {
                _rejoin = null;
            }

            rejoin.Dispose();
        }
    }

    private async Task RejoinAsync(RememberedCall call, CancellationToken cancellationToken)
    {
        var lastInCall = DateTimeOffset.FromUnixTimeMilliseconds(call.InCallUnixMs);
        var away = _time.GetUtcNow() - lastInCall;
        if (away > _options.RejoinWindow || away < -TimeSpan.FromMinutes(1))
        {
            LogRejoinDropped(call.Session, away.TotalSeconds, _options.RejoinWindow.TotalSeconds);
            ForgetCall();
            return;
        }

        LogRejoining(call.Session, call.Relay, away.TotalSeconds);
        lock (_lock)
        {
            _muted = call.Muted;
            _cameraOn = call.CameraOn;
        }

        var key = call.PassphraseKey is null ? null : Convert.FromBase64String(call.PassphraseKey);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await JoinCoreAsync(new JoinRequest { Session = call.Session, Relay = call.Relay, Name = call.Name }, key, rejoining: true, cancellationToken)
                    .ConfigureAwait(false);
                var after = (_time.GetUtcNow() - lastInCall).TotalSeconds;
                lock (_lock)
                {
                    _rejoinedAfterSeconds = Math.Round(after, 1);
                }

                LogRejoined(call.Session, after);
                Publish(ControlEventKind.ConnectionChanged, null);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (LinkFailedException ex)
            {
                var delay = ReconnectBackoff.Delay(attempt, TimeSpan.FromSeconds(_options.ReconnectMaxSeconds), Random.Shared.NextDouble());
                if (ex.Final || _time.GetUtcNow() + delay > lastInCall + _options.RejoinWindow)
                {
                    LogRejoinFailed(call.Session, ex.Message);
                    ForgetCall();
                    return;
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask StopMemoryAsync()
    {
        CancelRejoin();
        if (_memoryTimer is not null)
        {
            await _memoryTimer.DisposeAsync().ConfigureAwait(false);
        }

        // A stop keeps the memory, stamped now: a start within the window (a restart, an upgrade) rejoins.
        Remember();
        lock (_memoryGate)
        {
            _memory = null;
        }
    }

    [LoggerMessage(EventId = 2033, Level = LogLevel.Information, Message = "Rejoining session {Session} on relay {Relay}: this daemon was in it {Seconds:0.0} s ago")]
    private partial void LogRejoining(string session, string relay, double seconds);

    [LoggerMessage(EventId = 2034, Level = LogLevel.Information, Message = "Rejoined session {Session}, {Seconds:0.0} s after last being in it")]
    private partial void LogRejoined(string session, double seconds);

    [LoggerMessage(EventId = 2035, Level = LogLevel.Information, Message = "Not rejoining session {Session}: this daemon was last in it {Seconds:0} s ago, longer than Conference:RejoinWindow ({Window:0} s)")]
    private partial void LogRejoinDropped(string session, double seconds, double window);

    [LoggerMessage(EventId = 2036, Level = LogLevel.Warning, Message = "Could not rejoin session {Session}: {Reason}")]
    private partial void LogRejoinFailed(string session, string reason);
}
