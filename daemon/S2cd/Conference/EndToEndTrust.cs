using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Security;

namespace S2cd.Conference;

/// <summary>
/// This daemon's identity and the end-to-end session of its current connection: begun at each welcome, ended when
/// the connection ends (its counters then add to the totals <c>status</c> shows). Its lock guards only the session
/// reference and the totals; the session itself is called outside it.
/// </summary>
internal sealed partial class EndToEndTrust
{
    private readonly bool _enabled;
    private readonly TimeProvider _time;
    private readonly ILogger<EndToEndTrust> _logger;
    private readonly Lock _lock = new();
    private EndToEndSession? _session;
    private EndToEndFigures _totals;

    public EndToEndTrust(IOptions<ConferenceOptions> options, IOptions<DaemonOptions> daemon, TimeProvider time, ILogger<EndToEndTrust> logger)
    {
        _enabled = options.Value.EndToEnd;
        _time = time;
        _logger = logger;
        if (!daemon.Value.IsRelay)
        {
            var directory = daemon.Value.ResolvedStateDirectory;
            Identity = DaemonIdentity.LoadOrCreate(directory, out var created);
            LogIdentity(created ? "made" : "loaded", Identity.Fingerprint, Path.Combine(directory, DaemonIdentity.FileName));
        }
    }

    /// <summary>This daemon's identity certificate; null in the relay role.</summary>
    public DaemonIdentity? Identity { get; }

    /// <summary>Whether media is sealed end to end (Conference:EndToEnd).</summary>
    public bool Enabled => _enabled;

    /// <summary>The session of the current connection, or null (not welcomed, or encryption off).</summary>
    public EndToEndSession? Current
    {
        get
        {
            lock (_lock)
            {
                return _session;
            }
        }
    }

    /// <summary>A new stay in a session: the relay welcomed us as <paramref name="selfId"/>; null when encryption is off.</summary>
    public EndToEndSession? Begin(string session, uint selfId, byte[]? passphraseKey, Action<uint, byte[]> sendSignal, Action<uint> memberChanged)
    {
        if (!_enabled || Identity is null)
        {
            return null;
        }

        var e2e = new EndToEndSession(Identity, session, selfId, passphraseKey, sendSignal, memberChanged, _time, _logger);
        EndToEndSession? old;
        lock (_lock)
        {
            old = _session;
            _session = e2e;
        }

        if (old is not null)
        {
            _ = EndAsync(old);
        }

        return e2e;
    }

    /// <summary>A new call: the totals start again.</summary>
    public void ResetTotals()
    {
        lock (_lock)
        {
            _totals = default;
        }
    }

    /// <summary>The connection ended: its session goes, its counters add to the totals.</summary>
    public Task EndAsync()
    {
        EndToEndSession? e2e;
        lock (_lock)
        {
            e2e = _session;
            _session = null;
        }

        return e2e is null ? Task.CompletedTask : EndAsync(e2e);
    }

    private async Task EndAsync(EndToEndSession e2e)
    {
        var c = e2e.Counters;
        lock (_lock)
        {
            _totals = new EndToEndFigures(
                _totals.Tampered + c.Tampered,
                _totals.Replayed + c.Replayed,
                _totals.OldKey + c.OldKey,
                _totals.BadKeyBundles + c.BadKeyBundles,
                _totals.RefusedMembers + c.RefusedMembers,
                _totals.AwaitingKey + c.AwaitingKey);
        }

        await e2e.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The counters of this call: the ended connections' and the current one's.</summary>
    public EndToEndFigures Figures()
    {
        EndToEndSession? e2e;
        EndToEndFigures totals;
        lock (_lock)
        {
            e2e = _session;
            totals = _totals;
        }

        var c = e2e?.Counters ?? default;
        return new(
            totals.Tampered + c.Tampered,
            totals.Replayed + c.Replayed,
            totals.OldKey + c.OldKey,
            totals.BadKeyBundles + c.BadKeyBundles,
            totals.RefusedMembers + c.RefusedMembers,
            totals.AwaitingKey + c.AwaitingKey);
    }

    /// <summary>The state people see in a session, with how many members' keys are held.</summary>
    public EndToEndStatus Status()
    {
        if (!_enabled)
        {
            return new EndToEndStatus(EndToEndState.Off);
        }

        if (Current is not { } e2e)
        {
            return new EndToEndStatus(EndToEndState.WaitingForRelay);
        }

        var (verified, keys, others) = e2e.Coverage();
        return new EndToEndStatus(EndToEndState.On, keys, verified, others);
    }

    /// <summary>
    /// What <paramref name="e2e"/> (the session read once for a whole list; null before a welcome) knows of member
    /// <paramref name="id"/>.
    /// </summary>
    public (string? Fingerprint, Trust Trust, string? RefusedReason) Describe(EndToEndSession? e2e, uint id) =>
        !_enabled ? (null, Trust.NotEncrypted, null) : e2e?.Describe(id) ?? (null, Trust.WaitingForCertificate, null);

    /// <summary>An end-to-end signal from member <paramref name="sender"/>.</summary>
    public void OnSignal(uint sender, ReadOnlySequence<byte> payload) => Current?.OnSignal(sender, payload);

    [LoggerMessage(EventId = LogEvents.Identity, Level = LogLevel.Information, Message = "Identity {How}: certificate {Fingerprint} ({Path})")]
    private partial void LogIdentity(string how, string fingerprint, string path);
}
