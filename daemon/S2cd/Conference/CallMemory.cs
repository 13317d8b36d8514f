using Microsoft.Extensions.Logging;
using S2cd.Platform;
using S2cd.Transport;
using S2cd.Transport.RelayLink;

namespace S2cd.Conference;

/// <summary>What <see cref="CallMemory"/> asks of the call it remembers.</summary>
internal interface IRejoinTarget
{
    /// <summary>The call to write down now (let in, or reconnecting to it), or null when not in one.</summary>
    RememberedCall? CallToRemember();

    /// <summary>Joins <paramref name="call"/> again with its mute and camera state; throws <see cref="LinkFailedException"/> when it fails.</summary>
    Task RejoinAsync(RememberedCall call, byte[]? passphraseKey, CancellationToken cancellationToken);

    /// <summary>The rejoin succeeded, <paramref name="afterSeconds"/> after last being in the call.</summary>
    void Rejoined(double afterSeconds);
}

/// <summary>
/// The call remembered across a restart: written when the relay lets us in and whenever mute or camera change,
/// stamped while we are in the call, forgotten on leave. At start a fresh memory is joined again with the same
/// identity, mute and camera state, and new media keys as on any join. Its lock is its own; the target is called
/// outside it, except to read the call to write down.
/// </summary>
internal sealed partial class CallMemory : IAsyncDisposable
{
    /// <summary>How often the memory is stamped while in a call: a crash loses at most this much of the window.</summary>
    private static readonly TimeSpan MemoryStamp = TimeSpan.FromSeconds(10);

    private readonly ConferenceOptions _options;
    private readonly IRejoinTarget _target;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ITimer? _timer;
    private SessionMemory? _memory;
    private CancellationTokenSource? _rejoin;

    /// <summary>Remembers calls in <paramref name="stateDirectory"/>; null (the relay role) remembers nothing.</summary>
    public CallMemory(ConferenceOptions options, string? stateDirectory, IRejoinTarget target, TimeProvider time, ILogger logger)
    {
        _options = options;
        _target = target;
        _time = time;
        _logger = logger;
        if (stateDirectory is null)
        {
            return;
        }

        _memory = new SessionMemory(stateDirectory, logger);
        if (options.RejoinWindow <= TimeSpan.Zero)
        {
            _memory.Forget();
            _memory = null;
            return;
        }

        var every = TimeSpan.FromTicks(Math.Min(MemoryStamp.Ticks, options.RejoinWindow.Ticks / 4));
        _timer = time.CreateTimer(_ => Remember(), null, every, every);
    }

    /// <summary>Writes what a restart needs, stamped now, while we are in a call.</summary>
    public void Remember()
    {
        lock (_gate)
        {
            if (_memory is not null && _target.CallToRemember() is { } call)
            {
                _memory.Save(call with { InCallUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds() });
            }
        }
    }

    public void Forget()
    {
        lock (_gate)
        {
            _memory?.Forget();
        }
    }

    /// <summary>A join or leave asked for by a person replaces a rejoin still trying.</summary>
    public void CancelRejoin()
    {
        lock (_gate)
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
        lock (_gate)
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
            lock (_gate)
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
            Forget();
            return;
        }

        LogRejoining(call.Session, call.Relay, away.TotalSeconds);
        var key = call.PassphraseKey is null ? null : Convert.FromBase64String(call.PassphraseKey);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _target.RejoinAsync(call, key, cancellationToken).ConfigureAwait(false);
                var after = (_time.GetUtcNow() - lastInCall).TotalSeconds;
                LogRejoined(call.Session, after);
                _target.Rejoined(Math.Round(after, 1));
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
                    Forget();
                    return;
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A stop keeps the memory, stamped now: a start within the window (a restart, an upgrade) rejoins.</summary>
    public async ValueTask DisposeAsync()
    {
        CancelRejoin();
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        Remember();
        lock (_gate)
        {
            _memory = null;
        }
    }

    [LoggerMessage(EventId = LogEvents.Rejoining, Level = LogLevel.Information, Message = "Rejoining session {Session} on relay {Relay}: this daemon was in it {Seconds:0.0} s ago")]
    private partial void LogRejoining(string session, string relay, double seconds);

    [LoggerMessage(EventId = LogEvents.Rejoined, Level = LogLevel.Information, Message = "Rejoined session {Session}, {Seconds:0.0} s after last being in it")]
    private partial void LogRejoined(string session, double seconds);

    [LoggerMessage(EventId = LogEvents.RejoinDropped, Level = LogLevel.Information, Message = "Not rejoining session {Session}: this daemon was last in it {Seconds:0} s ago, longer than Conference:RejoinWindow ({Window:0} s)")]
    private partial void LogRejoinDropped(string session, double seconds, double window);

    [LoggerMessage(EventId = LogEvents.RejoinFailed, Level = LogLevel.Warning, Message = "Could not rejoin session {Session}: {Reason}")]
    private partial void LogRejoinFailed(string session, string reason);
}
