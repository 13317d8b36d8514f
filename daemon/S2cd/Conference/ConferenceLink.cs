using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// This daemon's stay in a session, and what the control API asks of it: join and leave through the transport
/// (which reconnects by itself and reports a refusal with its reason), the members, our own mute and camera
/// state, end-to-end keys per connection, and the status composed from typed state.
/// </summary>
internal sealed partial class ConferenceLink : IAsyncDisposable
{
    private readonly ConferenceOptions _options;
    private readonly DaemonOptions _daemon;
    private readonly RelayServer _relayServer;
    private readonly EventHub _events;
    private readonly TimeProvider _time;
    private readonly ILogger<ConferenceLink> _logger;
    private readonly SemaphoreSlim _joinGate = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Membership _membership = new();
    private readonly IConferenceTransport _transport;
    private readonly LinkEvents _linkEvents;
    private readonly IVideoSink _video;
    private readonly MediaRouter _media;
    private readonly System.Threading.Channels.Channel<bool> _cameraDemand =
        System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite,
        });

    private readonly IAudioSink _audio;
    private readonly LoopHealth _health;
    private readonly DaemonIdentity? _identity;
    private EndToEndSession? _e2e;
    private EndToEndSession.Figures _e2eTotals;
    private byte[]? _passphraseKey;
    private LinkSecurity? _security;
    private int _previewers;
    private DeviceState _camera = DeviceState.Off;
    private DeviceState _microphone = DeviceState.Off;
    private DeviceState _speaker = DeviceState.Off;
    private long _captureXruns;
    private long _playbackXruns;
    private byte _ownLevel = 127;
    private long _ownLevelAt;
    private ConnectionState _state = ConnectionState.Idle;
    private string? _reason;
    private string? _session;
    private string? _relay;
    private string _name;
    private bool _muted;
    private bool _cameraOn = true;
    private ITransportLink? _link;

    public ConferenceLink(
        IOptions<ConferenceOptions> options,
        IOptions<DaemonOptions> daemon,
        RelayServer relayServer,
        IConferenceTransport transport,
        EventHub events,
        IVideoSink video,
        IAudioSink audio,
        LoopHealth health,
        TimeProvider time,
        ILogger<ConferenceLink> logger)
    {
        _audio = audio;
        _audio.UseVolumes(VolumeOf);
        _health = health;
        _transport = transport;
        _linkEvents = new LinkEvents(this);
        _video = video;
        _media = new MediaRouter(video, audio);
        _options = options.Value;
        _daemon = daemon.Value;
        _relayServer = relayServer;
        _events = events;
        _time = time;
        _logger = logger;
        _name = _options.ResolveName();
        if (!_daemon.IsRelay)
        {
            _identity = DaemonIdentity.LoadOrCreate(_daemon.ResolvedStateDirectory, out var created);
            LogIdentity(created ? "made" : "loaded", _identity.Fingerprint, Path.Combine(_daemon.ResolvedStateDirectory, DaemonIdentity.FileName));
        }

        StartMemory();
    }

    public StatusResult GetStatus()
    {
        lock (_lock)
        {
            return StatusLocked();
        }
    }

    public IReadOnlyList<ParticipantInfo> GetParticipants()
    {
        List<ParticipantInfo> list;
        lock (_lock)
        {
            list = new List<ParticipantInfo>(_membership.Count + 1);
            if (_session is not null || _previewers > 0)
            {
                list.Add(SelfLocked());
            }

            list.AddRange(_membership.Others);
        }

        var e2e = _options.EndToEnd ? CurrentEndToEnd() : null;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].IsSelf)
            {
                list[i] = list[i] with { Fingerprint = _identity?.Fingerprint, Trust = "you", KeyId = e2e?.SendKeyId };
                var heard = _time.GetElapsedTime(Interlocked.Read(ref _ownLevelAt)) < SpeakingHold && !list[i].Muted;
                list[i] = list[i] with { VideoFps = _video.SelfFps, AudioLevel = heard ? -_ownLevel : null, Speaking = heard && _ownVoice };
                continue;
            }

            var trust = DescribeTrust(e2e, list[i].Id);
            list[i] = list[i] with { Fingerprint = trust.Fingerprint, Trust = trust.Trust, Refused = trust.Refused, KeyId = e2e?.NewestKeyIdFrom(list[i].Id) is { } key and > 0 ? key : null };
            var (fps, delay, lost) = _video.Figures(list[i].Id);
            var recent = _audio.Recent(list[i].Id);
            list[i] = list[i] with
            {
                VideoFps = fps,
                VideoLost = lost,
                VideoDelayMs = delay,
                AudioLevel = -recent?.Level,
                Speaking = recent?.Voice == true,
                Volume = VolumeOf(list[i].Id),
            };
        }

        return list;
    }

    /// <summary>What <paramref name="e2e"/> (the session read once for the whole list; null with encryption off) knows of member <paramref name="id"/>.</summary>
    private (string? Fingerprint, string Trust, bool Refused) DescribeTrust(EndToEndSession? e2e, uint id)
    {
        if (!_options.EndToEnd)
        {
            return (null, "not encrypted", false);
        }

        return e2e?.Describe(id) ?? (null, "waiting for its certificate", false);
    }

    /// <summary>
    /// Sends a media payload to the session, sealed under our end-to-end key, when connected; dropped otherwise.
    /// </summary>
    public void SendMedia(MediaKind kind, ReadOnlySpan<byte> payload)
    {
        ITransportLink? link;
        EndToEndSession? e2e;
        lock (_lock)
        {
            link = _state == ConnectionState.Connected ? _link : null;
            e2e = _e2e;
        }

        if (link is null || (e2e is null && _options.EndToEnd))
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
        CancelRejoin();
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
            lock (_lock)
            {
                if (_session == request.Session && _relay == relay && (request.Name is null || request.Name == _name)
                    && (passphraseKey ?? []).AsSpan().SequenceEqual(_passphraseKey ?? [])
                    && _state is ConnectionState.Connected or ConnectionState.Reconnecting)
                {
                    return StatusLocked();
                }
            }

            await StopRunAsync(sendLeave: true).ConfigureAwait(false);
            if (!rejoining)
            {
                // The remembered call is left; this one is remembered once the relay lets us in.
                ForgetCall();
            }

            lock (_lock)
            {
                _session = request.Session;
                _relay = relay;
                _name = request.Name ?? _name;
                _membership.Reset();
                _reason = null;
                _passphraseKey = passphraseKey;
                _e2eTotals = default;
            }

            SetState(ConnectionState.Connecting, null);
            _cameraDemand.Writer.TryWrite(true);
            var link = _transport.Open(new TransportJoin(relay, request.Session, request.RelayFingerprint), _linkEvents);
            lock (_lock)
            {
                _link = link;
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
        CancelRejoin();
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
            ForgetCall();
            _ = TrimAfterCallAsync();
            return GetStatus();
        }
        finally
        {
            _joinGate.Release();
        }
    }

    /// <summary>
    /// A few seconds after a call (the camera and the pipelines have stopped by then), the memory it used goes back
    /// to the system, unless another call has begun.
    /// </summary>
    private async Task TrimAfterCallAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(3), _time).ConfigureAwait(false);
        lock (_lock)
        {
            if (_session is not null)
            {
                return;
            }
        }

        Platform.MemoryTrim.Now();
    }

    /// <summary>Mutes or unmutes the microphone; null turns it over (in one step, under the lock).</summary>
    public StatusResult SetMuted(bool? muted)
    {
        lock (_lock)
        {
            _muted = muted ?? !_muted;
        }

        return AfterOwnChange();
    }

    /// <summary>Turns the camera on or off; null turns it over.</summary>
    public StatusResult SetCamera(bool? on)
    {
        lock (_lock)
        {
            _cameraOn = on ?? !_cameraOn;
        }

        return AfterOwnChange();
    }

    private void EndPreview()
    {
        lock (_lock)
        {
            _previewers--;
        }

        _cameraDemand.Writer.TryWrite(true);
        _video.Touch();
    }

    public async ValueTask DisposeAsync()
    {
        await StopMemoryAsync().ConfigureAwait(false);
        await StopRunAsync(sendLeave: true).ConfigureAwait(false);
        _joinGate.Dispose();
    }
}
