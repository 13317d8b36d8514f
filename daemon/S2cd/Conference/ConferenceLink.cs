using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// This daemon's stay in a session, and what the control API and the camera and audio services ask of it: join and
/// leave through the transport (which reconnects by itself and reports a refusal with its reason), mute, camera,
/// volumes, previews, and the status. The call's state is <see cref="CallState"/>'s, under its own lock; what a link
/// reports is applied by <see cref="CallEvents"/>; devices, trust, memory, media and the status keep their own.
/// </summary>
internal sealed class ConferenceLink : IAsyncDisposable, IRejoinTarget
{
    private readonly ConferenceOptions _options;
    private readonly IConferenceTransport _transport;
    private readonly SemaphoreSlim _joinGate = new(1, 1);
    private readonly CallState _state;
    private readonly EndToEndTrust _trust;
    private readonly CallMemory _memory;
    private readonly CameraDemand _demand = new();
    private readonly MediaRouter _media;
    private readonly CallAnnouncer _announce;
    private readonly CallTexts _texts;
    private readonly StatusComposer _status;
    private readonly TimeProvider _time;
    private readonly ILogger<ConferenceLink> _logger;

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
        _trust = trust;
        _status = status;
        _media = media;
        _time = time;
        _logger = logger;
        _state = new CallState(_options.ResolveName());
        _announce = new CallAnnouncer(events, status, _state, media.Video);
        status.Devices.Changed += () => _announce.Publish(ControlEventKind.ConnectionChanged, null);
        _texts = new CallTexts(_state, trust, _announce, media, time);
        _memory = new CallMemory(_options, trust.Identity is null ? null : daemon.Value.ResolvedStateDirectory, this, time, logger);
    }

    /// <summary>The devices' and voice's state, which the camera and audio services report.</summary>
    public LocalDevices Devices => _status.Devices;

    /// <summary>True while the camera should run: in a session with the camera on, or while someone previews.</summary>
    public bool WantsCamera => _state.Snapshot().Call is { Session: not null, CameraOn: true } || _demand.Previewing;

    /// <summary>True while in a session (connected or reconnecting): the microphone and speaker are open.</summary>
    public bool InSession => _state.Snapshot() is { Call.Session: not null, Link.State: ConnectionState.Connected or ConnectionState.Reconnecting };

    /// <summary>True while captured audio goes to the session: connected and not muted.</summary>
    public bool SendsAudio => _state.Snapshot() is { Link.State: ConnectionState.Connected, Call.Muted: false };

    /// <summary>Whether media has fallen back to the TLS link because UDP does not get through (not while UDP is still being tried).</summary>
    public bool MediaOverTls => _state.Snapshot().Link.Link?.MediaPath is { Kind: MediaPathKind.Tls, WhyNotUdp: not null };

    /// <summary>True while captured pictures go to the session.</summary>
    public bool SendsVideo => _state.Snapshot() is { Link.State: ConnectionState.Connected, Call.CameraOn: true };

    /// <summary>Chat messages and shared terminal screens: sent, kept, and shown.</summary>
    public CallTexts Texts => _texts;

    public StatusResult GetStatus() => _announce.Status();

    /// <summary>What the call view's status line needs, typed.</summary>
    public ViewStatus GetViewStatus() => _status.OfView(_state.Snapshot());

    public IReadOnlyList<ParticipantInfo> GetParticipants()
    {
        var (list, session) = _state.Participants(_demand.Previewing);
        return [.. _status.Participants(list, session, _media.Volumes).Select(p => _texts.SharingOf(p) is { } sharing ? p with { Sharing = sharing } : p)];
    }


    /// <summary>Completes when the answer of <see cref="WantsCamera"/> may have changed.</summary>
    public Task WaitForCameraDemandAsync(CancellationToken cancellationToken) => _demand.WaitAsync(cancellationToken);

    /// <summary>Starts a preview of our own camera, outside any session; dispose the result to stop it.</summary>
    public IDisposable StartPreview() => _demand.StartPreview(_media.Video.Touch);

    /// <summary>Sends a media payload to the session, sealed under our end-to-end key, when connected; dropped otherwise.</summary>
    public void SendMedia(MediaKind kind, ReadOnlySpan<byte> payload)
    {
        var link = _state.Snapshot().Link is { State: ConnectionState.Connected, Link: { } connected } ? connected : null;
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
        if (CheckJoin(request, request.Relay ?? _options.Relay, out var relays) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        // Stretched once per join (it is slow on purpose); the passphrase itself is not kept, logged or sent.
        var passphraseKey = request.Passphrase is null ? null : Announcement.DerivePassphraseKey(request.Passphrase, NameRules.SessionKey(request.Session));
        _memory.CancelRejoin();
        try
        {
            return await JoinCoreAsync(request.Session, relays, request, passphraseKey, rejoining: false, cancellationToken).ConfigureAwait(false);
        }
        catch (LinkFailedException ex)
        {
            throw new ConferenceException(ex.Message);
        }
    }

    /// <summary>The join itself, with the passphrase already stretched; throws <see cref="LinkFailedException"/> when it fails.</summary>
    private async Task<StatusResult> JoinCoreAsync(string session, RelayList relays, JoinRequest request, byte[]? passphraseKey, bool rejoining, CancellationToken cancellationToken)
    {
        var relay = relays.ToString();
        await _joinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _state.Snapshot();
            if (now.Call.Session == request.Session && now.Call.Relay == relay && (request.Name is null || request.Name == now.Call.Name)
                && (passphraseKey ?? []).AsSpan().SequenceEqual(now.Call.PassphraseKey ?? [])
                && now.Link.State is ConnectionState.Connected or ConnectionState.Reconnecting)
            {
                return GetStatus();
            }

            await StopRunAsync(sendLeave: true).ConfigureAwait(false);
            if (!rejoining)
            {
                // The remembered call is left; this one is remembered once the relay lets us in.
                _memory.Forget();
            }

            _state.Begin(request.Session, relay, request.Name, passphraseKey);
            _trust.ResetTotals();
            _announce.Move(ConnectionState.Connecting, null);
            _demand.Poke();
            var events = new CallEvents(_state, _trust, _media, _memory, _announce, _logger);
            var link = _transport.Open(new TransportJoin(relays, session, request.RelayFingerprint), events);
            _state.SwapLink(link);
            await link.Welcomed.WaitAsync(cancellationToken).ConfigureAwait(false);
            return GetStatus();
        }
        finally
        {
            _joinGate.Release();
        }
    }

    /// <summary>What is wrong with a join request, in one line, or null.</summary>
    private static string? CheckJoin(JoinRequest request, string relay, out RelayList relays)
    {
        var relayProblem = NameRules.TryParseRelays(relay, out relays);
        return NameRules.CheckSession(request.Session)
            ?? (request.Name is null ? null : NameRules.CheckDisplayName(request.Name))
            ?? NameRules.CheckPassphrase(request.Passphrase)
            ?? NameRules.CheckFingerprint(request.RelayFingerprint)
            ?? (relayProblem is null ? null : $"relay: {relayProblem}")
            ?? (request.RelayFingerprint is not null && relays.Count > 1 ? "a relay fingerprint pins one relay: give one relay with it" : null);
    }

    public async Task<StatusResult> LeaveAsync(CancellationToken cancellationToken)
    {
        _memory.CancelRejoin();
        await _joinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state.Snapshot().Call.Session is null)
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

    /// <summary>Mutes or unmutes the microphone; null turns it over (in one step, under the call's lock).</summary>
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
        if (percent is < 0 or > MemberVolumes.MaxPercent)
        {
            throw new ArgumentException($"volume must be 0 to {MemberVolumes.MaxPercent} percent, not {percent}");
        }

        _media.Volumes.Set(_state.SessionWithMember(name), name, percent);
        _announce.Publish(ControlEventKind.ParticipantChanged, null);
        return GetParticipants();
    }

    /// <summary>At start: joins the call a restarted daemon was in, when it is fresh (<see cref="CallMemory"/>).</summary>
    public Task RejoinAsync(CancellationToken stopping) => _memory.RejoinAsync(stopping);

    RememberedCall? IRejoinTarget.CallToRemember() => _state.Snapshot() is { Call: { Session: { } session, Relay: { } relay } call, Link.State: ConnectionState.Connected or ConnectionState.Reconnecting }
        ? new RememberedCall
        {
            Session = session,
            Relay = relay,
            Name = call.Name,
            Muted = call.Muted,
            CameraOn = call.CameraOn,
            PassphraseKey = call.PassphraseKey is null ? null : Convert.ToBase64String(call.PassphraseKey),
        }
        : null;

    async Task IRejoinTarget.RejoinAsync(RememberedCall call, byte[]? passphraseKey, CancellationToken cancellationToken)
    {
        _state.Change(c => c with { Muted = call.Muted, CameraOn = call.CameraOn });
        // A remembered call was checked when it was read back (RememberedCall.Check): its relays parse.
        NameRules.TryParseRelays(call.Relay, out var relays);
        await JoinCoreAsync(call.Session, relays, new JoinRequest { Session = call.Session, Name = call.Name }, passphraseKey, rejoining: true, cancellationToken)
            .ConfigureAwait(false);
    }

    void IRejoinTarget.Rejoined(double afterSeconds)
    {
        _state.Rejoined(afterSeconds);
        _announce.Publish(ControlEventKind.ConnectionChanged, null);
    }

    private StatusResult ChangeOwn(Func<CallSettings, CallSettings> change)
    {
        var (call, link, self) = _state.Change(change);
        link?.SendPresence(call.Flags, call.Name);
        _memory.Remember();
        _demand.Poke();
        if (call.Session is not null)
        {
            _announce.Publish(ControlEventKind.ParticipantChanged, self);
        }

        return GetStatus();
    }

    private async Task StopRunAsync(bool sendLeave)
    {
        if (_state.SwapLink(null) is not { } link)
        {
            return;
        }

        if (sendLeave)
        {
            await link.LeaveAsync().ConfigureAwait(false);
        }
        else
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        await _trust.EndAsync().ConfigureAwait(false);
        _state.End();
        _texts.Chat.Clear();
        _media.Volumes.Members(null, new Dictionary<uint, string>());
        _media.Clear();
        _demand.Poke();
        _announce.Move(ConnectionState.Idle, null);
    }

    /// <summary>
    /// A few seconds after a call (the camera and the pipelines have stopped by then), the memory it used goes back
    /// to the system, unless another call has begun.
    /// </summary>
    private async Task TrimAfterCallAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(3), _time).ConfigureAwait(false);
        if (_state.Snapshot().Call.Session is null)
        {
            MemoryTrim.Now();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _memory.DisposeAsync().ConfigureAwait(false);
        await StopRunAsync(sendLeave: true).ConfigureAwait(false);
        _joinGate.Dispose();
    }
}
