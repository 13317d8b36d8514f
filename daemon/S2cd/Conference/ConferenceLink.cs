using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Transport.RelayLink;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// This daemon's stay in a session: a small state machine over the call (who we are, in which session, our mute and
/// camera), the members, and the link the transport opened (which reconnects by itself and reports a refusal with
/// its reason). Its lock guards only that state; devices, trust, memory, media and the status each keep their own,
/// and are called after it is released. What the transport reports is applied in <c>ConferenceLink.Events.cs</c>.
/// </summary>
internal sealed partial class ConferenceLink : IAsyncDisposable, IRejoinTarget
{
    private readonly ConferenceOptions _options;
    private readonly IConferenceTransport _transport;
    private readonly SemaphoreSlim _joinGate = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Membership _membership = new();
    private readonly EndToEndTrust _trust;
    private readonly CallMemory _memory;
    private readonly CameraDemand _demand = new();
    private readonly MediaRouter _media;
    private readonly EventHub _events;
    private readonly StatusComposer _status;
    private readonly TimeProvider _time;
    private readonly ILogger<ConferenceLink> _logger;
    private CallSettings _call;
    private LinkState _link = LinkState.Idle;

    public ConferenceLink(
        IOptions<ConferenceOptions> options,
        IOptions<DaemonOptions> daemon,
        IConferenceTransport transport,
        EventHub events,
        EndToEndTrust trust,
        StatusComposer status,
        MediaRouter media,
        TimeProvider time,
        ILogger<ConferenceLink> logger)
    {
        _options = options.Value;
        _transport = transport;
        _events = events;
        _trust = trust;
        _status = status;
        _media = media;
        _time = time;
        _logger = logger;
        _call = new CallSettings(_options.ResolveName());
        status.Devices.Changed += () => Publish(ControlEventKind.ConnectionChanged, null);
        _memory = new CallMemory(_options, trust.Identity is null ? null : daemon.Value.ResolvedStateDirectory, this, time, logger);
    }

    /// <summary>The devices' and voice's state, which the camera and audio services report.</summary>
    public LocalDevices Devices => _status.Devices;

    /// <summary>True while the camera should run: in a session with the camera on, or while someone previews.</summary>
    public bool WantsCamera => Read(c => c.Call is { Session: not null, CameraOn: true }) || _demand.Previewing;

    /// <summary>True while in a session (connected or reconnecting): the microphone and speaker are open.</summary>
    public bool InSession => Read(c => c.Call.Session is not null && c.Link.State is ConnectionState.Connected or ConnectionState.Reconnecting);

    /// <summary>True while captured audio goes to the session: connected and not muted.</summary>
    public bool SendsAudio => Read(c => c.Link.State == ConnectionState.Connected && !c.Call.Muted);

    /// <summary>True while captured pictures go to the session.</summary>
    public bool SendsVideo => Read(c => c.Link.State == ConnectionState.Connected && c.Call.CameraOn);

    public StatusResult GetStatus() => _status.Of(Snapshot());

    /// <summary>What the call view's status line needs, typed.</summary>
    public ViewStatus GetViewStatus() => _status.OfView(Snapshot());

    public IReadOnlyList<ParticipantInfo> GetParticipants()
    {
        List<ParticipantInfo> list;
        string? session;
        lock (_lock)
        {
            session = _call.Session;
            list = new List<ParticipantInfo>(_membership.Count + 1);
            if (session is not null || _demand.Previewing)
            {
                list.Add(SelfLocked());
            }

            list.AddRange(_membership.Others);
        }

        return _status.Participants(list, session, _media.Volumes);
    }

    /// <summary>Completes when the answer of <see cref="WantsCamera"/> may have changed.</summary>
    public Task WaitForCameraDemandAsync(CancellationToken cancellationToken) => _demand.WaitAsync(cancellationToken);

    /// <summary>Starts a preview of our own camera, outside any session; dispose the result to stop it.</summary>
    public IDisposable StartPreview() => _demand.StartPreview(_media.Video.Touch);

    /// <summary>Sends a media payload to the session, sealed under our end-to-end key, when connected; dropped otherwise.</summary>
    public void SendMedia(MediaKind kind, ReadOnlySpan<byte> payload)
    {
        var link = Read(c => c.Link.State == ConnectionState.Connected ? c.Link.Link : null);
        var e2e = _trust.Current;
        if (link is null || (e2e is null && _trust.Enabled))
        {
            return;
        }

        link.SendMedia(kind, payload, e2e);
    }

    /// <summary>
    /// Joins <paramref name="request"/>'s session, leaving the current one first when it differs. Completes
    /// when the relay has welcomed us; throws <see cref="ConferenceException"/> when it refused or cannot be reached.
    /// </summary>
    public async Task<StatusResult> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        var relay = request.Relay ?? _options.Relay;
        if (CheckJoin(request, relay) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        // Stretched once per join (it is slow on purpose); the passphrase itself is not kept, logged or sent.
        var passphraseKey = request.Passphrase is null ? null : Announcement.DerivePassphraseKey(request.Passphrase, request.Session);
        _memory.CancelRejoin();
        try
        {
            return await JoinCoreAsync(request with { Relay = relay }, passphraseKey, rejoining: false, cancellationToken).ConfigureAwait(false);
        }
        catch (LinkFailedException ex)
        {
            throw new ConferenceException(ex.Message);
        }
    }

    /// <summary>The join itself, with the passphrase already stretched; throws <see cref="LinkFailedException"/> when it fails.</summary>
    private async Task<StatusResult> JoinCoreAsync(JoinRequest request, byte[]? passphraseKey, bool rejoining, CancellationToken cancellationToken)
    {
        var relay = request.Relay!;
        await _joinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var already = Read(c => c.Call.Session == request.Session && c.Call.Relay == relay && (request.Name is null || request.Name == c.Call.Name)
                && (passphraseKey ?? []).AsSpan().SequenceEqual(c.Call.PassphraseKey ?? [])
                && c.Link.State is ConnectionState.Connected or ConnectionState.Reconnecting);
            if (already)
            {
                return GetStatus();
            }

            await StopRunAsync(sendLeave: true).ConfigureAwait(false);
            if (!rejoining)
            {
                // The remembered call is left; this one is remembered once the relay lets us in.
                _memory.Forget();
            }

            lock (_lock)
            {
                _call = _call with { Session = request.Session, Relay = relay, Name = request.Name ?? _call.Name, PassphraseKey = passphraseKey };
                _membership.Reset();
                _link = _link with { Reason = null };
            }

            _trust.ResetTotals();
            SetState(ConnectionState.Connecting, null);
            _demand.Poke();
            var link = _transport.Open(new TransportJoin(relay, request.Session, request.RelayFingerprint), new LinkEvents(this));
            lock (_lock)
            {
                _link = _link with { Link = link };
            }

            await link.Welcomed.WaitAsync(cancellationToken).ConfigureAwait(false);
            return GetStatus();
        }
        finally
        {
            _joinGate.Release();
        }
    }

    /// <summary>What is wrong with a join request, in one line, or null.</summary>
    private static string? CheckJoin(JoinRequest request, string relay) =>
        NameRules.CheckSession(request.Session)
        ?? (request.Name is null ? null : NameRules.CheckDisplayName(request.Name))
        ?? NameRules.CheckPassphrase(request.Passphrase)
        ?? NameRules.CheckFingerprint(request.RelayFingerprint)
        ?? (NameRules.TryParseRelays(relay, out var relays) is { } relayProblem ? $"relay: {relayProblem}" : null)
        ?? (request.RelayFingerprint is not null && relays.Length > 1 ? "a relay fingerprint pins one relay: give one relay with it" : null);

    public async Task<StatusResult> LeaveAsync(CancellationToken cancellationToken)
    {
        _memory.CancelRejoin();
        await _joinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Read(c => c.Call.Session is null))
            {
                throw new InvalidOperationException("not in a session");
            }

            await StopRunAsync(sendLeave: true).ConfigureAwait(false);
            _memory.Forget();
            _ = TrimAfterCallAsync();
            return GetStatus();
        }
        finally
        {
            _joinGate.Release();
        }
    }

    /// <summary>Mutes or unmutes the microphone; null turns it over (in one step, under the lock).</summary>
    public StatusResult SetMuted(bool? muted) => ChangeOwn(c => c with { Muted = muted ?? !c.Muted });

    /// <summary>Turns the camera on or off; null turns it over.</summary>
    public StatusResult SetCamera(bool? on) => ChangeOwn(c => c with { CameraOn = on ?? !c.CameraOn });

    /// <summary>
    /// Plays <paramref name="name"/>'s audio at <paramref name="percent"/> of its level (0 to 200) from now until the
    /// session ends. Refused, changing nothing, outside a session (<see cref="InvalidOperationException"/>) or when the
    /// percent is out of range or nobody of that name is in it (<see cref="ArgumentException"/>).
    /// </summary>
    public IReadOnlyList<ParticipantInfo> SetVolume(string name, int percent)
    {
        string session;
        lock (_lock)
        {
            session = _call.Session ?? throw new InvalidOperationException("not in a session: join one first");
            if (!_membership.Others.Any(m => m.Name == name))
            {
                throw new ArgumentException($"nobody named '{name}' is in session {session}");
            }
        }

        _media.Volumes.Set(session, name, percent);
        Publish(ControlEventKind.ParticipantChanged, null);
        return GetParticipants();
    }

    /// <summary>At start: joins the call a restarted daemon was in, when it is fresh (<see cref="CallMemory"/>).</summary>
    public Task RejoinAsync(CancellationToken stopping) => _memory.RejoinAsync(stopping);

    RememberedCall? IRejoinTarget.CallToRemember() => Read(c => c is { Call: { Session: { } session, Relay: { } relay } call, Link.State: ConnectionState.Connected or ConnectionState.Reconnecting }
        ? new RememberedCall
        {
            Session = session,
            Relay = relay,
            Name = call.Name,
            Muted = call.Muted,
            CameraOn = call.CameraOn,
            PassphraseKey = call.PassphraseKey is null ? null : Convert.ToBase64String(call.PassphraseKey),
        }
        : null);

    async Task IRejoinTarget.RejoinAsync(RememberedCall call, byte[]? passphraseKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _call = _call with { Muted = call.Muted, CameraOn = call.CameraOn };
        }

        await JoinCoreAsync(new JoinRequest { Session = call.Session, Relay = call.Relay, Name = call.Name }, passphraseKey, rejoining: true, cancellationToken)
            .ConfigureAwait(false);
    }

    void IRejoinTarget.Rejoined(double afterSeconds)
    {
        lock (_lock)
        {
            _call = _call with { RejoinedAfterSeconds = afterSeconds };
        }

        Publish(ControlEventKind.ConnectionChanged, null);
    }

    /// <summary>The call and the link, read at once under the lock (the status is composed from it outside).</summary>
    private CallSnapshot Snapshot() => Read(c => c);

    private T Read<T>(Func<CallSnapshot, T> read)
    {
        CallSnapshot snapshot;
        lock (_lock)
        {
            snapshot = new CallSnapshot(_call, _link, _membership.SelfId, _membership.Count);
        }

        return read(snapshot);
    }

    private StatusResult ChangeOwn(Func<CallSettings, CallSettings> change)
    {
        ITransportLink? link;
        CallSettings call;
        ParticipantInfo self;
        lock (_lock)
        {
            _call = call = change(_call);
            link = _link.State == ConnectionState.Connected ? _link.Link : null;
            self = SelfLocked();
        }

        link?.SendPresence(Flags(call), call.Name);
        _memory.Remember();
        _demand.Poke();
        if (call.Session is not null)
        {
            Publish(ControlEventKind.ParticipantChanged, self);
        }

        return GetStatus();
    }

    /// <summary>
    /// A few seconds after a call (the camera and the pipelines have stopped by then), the memory it used goes back
    /// to the system, unless another call has begun.
    /// </summary>
    private async Task TrimAfterCallAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(3), _time).ConfigureAwait(false);
        if (Read(c => c.Call.Session is null))
        {
            MemoryTrim.Now();
        }
    }

    private static MemberFlags Flags(CallSettings call) => (call.Muted ? MemberFlags.Muted : 0) | (call.CameraOn ? MemberFlags.CameraOn : 0);

    private ParticipantInfo SelfLocked() => new()
    {
        Id = _membership.SelfId,
        Name = _call.Name,
        IsSelf = true,
        Muted = _call.Muted,
        CameraOn = _call.CameraOn,
    };

    public async ValueTask DisposeAsync()
    {
        await _memory.DisposeAsync().ConfigureAwait(false);
        await StopRunAsync(sendLeave: true).ConfigureAwait(false);
        _joinGate.Dispose();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Joined session {Session} on relay {Relay} with {Count} participants")]
    private partial void LogJoined(string session, string relay, int count);
}
