using System.Buffers;
using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// End-to-end encryption of one connection's stay in a session: who the other members are (their announced
/// certificates, checked), our media key and the keys the others gave us. A new key of ours goes out, wrapped
/// to the verified members only, whenever that set changes, so a newcomer cannot read what came before it and
/// a leaver cannot read what follows. Keys we were given are kept a few seconds after their sender replaces
/// them, for frames in flight, then forgotten.
/// </summary>
/// <remarks>
/// Signals (see PROTOCOL.md) start with a kind byte: 1 certificate announcement, 2 key bundle.
/// Member callbacks and <see cref="Open"/> run on the connection's receive loop; <see cref="Seal"/> on the
/// capture threads; the rekey on a loop of its own.
/// </remarks>
internal sealed partial class EndToEndSession : IAsyncDisposable, IMediaSealer
{
    public const byte AnnouncementSignal = 1;
    public const byte KeyBundleSignal = 2;

    /// <summary>How long a replaced key of another member still opens frames.</summary>
    public static readonly TimeSpan OldKeyLifetime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Key bundles from one member whose key we unwrap (RSA work, about 3 ms each): a burst of this many, then
    /// this many per second. Honest members rekey once per join or leave; this holds back only a member that
    /// floods us with validly signed bundles. Forged ones fail the signature check first and cost no unwrap.
    /// </summary>
    public const double BundlesPerSecond = 5;

    /// <summary>How long a change of members waits for more changes before one rekey covers them all.</summary>
    public static readonly TimeSpan RekeyDelay = RekeyLoop.Delay;

    private const int MaxLoggedProblems = 20;
    private readonly SessionSelf _self;
    private readonly Action<uint, byte[]> _sendSignal;
    private readonly Action<uint> _memberChanged;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, Peer> _peers = [];
    private readonly RekeyLoop _rekeys;
    private readonly SendKey _sendKey = new();
    private readonly RejectionCounts _counts = new();
    private byte[]? _announcement;

    public EndToEndSession(
        DaemonIdentity identity,
        string session,
        uint selfId,
        byte[]? passphraseKey,
        Action<uint, byte[]> sendSignal,
        Action<uint> memberChanged,
        TimeProvider time,
        ILogger logger)
    {
        _self = new SessionSelf(identity, NameRules.SessionKey(session), selfId, passphraseKey);
        _sendSignal = sendSignal;
        _memberChanged = memberChanged;
        _time = time;
        _logger = logger;
        _rekeys = new RekeyLoop(Rekey, time, logger);
    }

    public enum OpenResult
    {
        Opened,
        NotVerified,
        AwaitingKey,
        OldKey,
        Replayed,
        Tampered,
    }

    public EndToEndFigures Counters => _counts.Figures;

    /// <summary>Our key id now (it grows by one with every rekey).</summary>
    public uint SendKeyId => _sendKey.Id;

    /// <summary>Tells everyone in the session who we are; call once, when welcomed.</summary>
    public void AnnounceToAll() => _sendSignal(0, Announce());

    /// <summary>A member is in the session: from the welcome (they will hear our announcement) or newly joined (tell it who we are).</summary>
    public void MemberPresent(uint id, bool newlyJoined)
    {
        lock (_lock)
        {
            _peers.TryAdd(id, new Peer(id, _time));
        }

        if (newlyJoined)
        {
            _sendSignal(id, Announce());
        }
    }

    public void MemberLeft(uint id)
    {
        Peer? peer;
        lock (_lock)
        {
            _peers.Remove(id, out peer);
        }

        if (peer is not null)
        {
            var wasVerified = peer.State == PeerState.Verified;
            peer.Dispose();
            if (wasVerified)
            {
                RequestRekey();
            }
        }
    }

    /// <summary>Takes a signal another member sent us through the relay.</summary>
    public void OnSignal(uint sender, ReadOnlySequence<byte> payload)
    {
        Peer? peer;
        lock (_lock)
        {
            _peers.TryGetValue(sender, out peer);
        }

        var bytes = payload.Length <= 64 * 1024 ? payload.ToArray() : [];
        var kind = bytes.Length > 0 ? bytes[0] : (byte)0;
        if (peer is null)
        {
            CountBadBundle(sender, $"a signal came from member {sender}, who is not in the session");
            return;
        }

        switch (kind)
        {
            case AnnouncementSignal:
                OnAnnouncement(peer, bytes.AsSpan(1));
                break;
            case KeyBundleSignal:
                OnKeyBundle(peer, bytes.AsSpan(1));
                break;
            default:
                CountBadBundle(sender, $"member {sender} sent a signal of unknown kind {kind} or of {payload.Length} bytes");
                break;
        }
    }

    /// <summary>Bytes a sealed frame takes for <paramref name="plaintextLength"/> bytes of media.</summary>
    public static int SealedLength(int plaintextLength) => plaintextLength + MediaKey.Overhead;

    int IMediaSealer.SealedLength(int plaintextLength) => SealedLength(plaintextLength);

    /// <summary>Seals a media payload under our current key into <paramref name="destination"/> (<see cref="SealedLength"/> bytes).</summary>
    public void Seal(MediaKind kind, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        _sendKey.Seal(_self.SelfId, kind, plaintext, destination);
    }

    /// <summary>
    /// Opens a sealed media frame from <paramref name="sender"/> into <paramref name="plaintext"/> (at least the frame's
    /// length); <paramref name="length"/> is the plaintext's length. Anything but <see cref="OpenResult.Opened"/> is dropped.
    /// </summary>
    public OpenResult Open(uint sender, MediaKind kind, ReadOnlySpan<byte> frame, Span<byte> plaintext, out int length)
    {
        length = 0;
        Peer? peer;
        lock (_lock)
        {
            _peers.TryGetValue(sender, out peer);
        }

        if (peer is null || peer.State != PeerState.Verified)
        {
            return OpenResult.NotVerified;
        }

        if (!MediaKey.TryReadHeader(frame, out var keyId, out var counter))
        {
            _counts.Tampered();
            return OpenResult.Tampered;
        }

        peer.Retire(_time.GetTimestamp());
        if (!peer.Keys.TryGetValue(keyId, out var key))
        {
            if (keyId > peer.NewestKeyId)
            {
                _counts.AwaitingKey();
                return OpenResult.AwaitingKey;
            }

            _counts.OldKey();
            return OpenResult.OldKey;
        }

        if (!key.Window.IsFresh(counter))
        {
            _counts.Replayed();
            return OpenResult.Replayed;
        }

        if (!key.Key.TryOpen(frame, counter, sender, kind, plaintext))
        {
            _counts.Tampered();
            return OpenResult.Tampered;
        }

        key.Window.Record(counter);
        length = frame.Length - MediaKey.Overhead;
        return OpenResult.Opened;
    }

    /// <summary>What we know of a member: its fingerprint (once verified), its trust, and why it was refused.</summary>
    public (string? Fingerprint, Trust Trust, string? RefusedReason) Describe(uint id)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue(id, out var peer))
            {
                return (null, Trust.WaitingForCertificate, null);
            }

            return peer.State switch
            {
                PeerState.Verified => (peer.Fingerprint, peer.NewestKeyId > 0 ? Trust.Verified : Trust.VerifiedAwaitingKey, null),
                PeerState.Refused => (peer.Fingerprint, Trust.Refused, peer.Reason),
                _ => (null, Trust.WaitingForCertificate, null),
            };
        }
    }

    /// <summary>The id of the newest key <paramref name="id"/> gave us (0: none yet).</summary>
    public uint NewestKeyIdFrom(uint id)
    {
        lock (_lock)
        {
            return _peers.TryGetValue(id, out var peer) ? peer.NewestKeyId : 0;
        }
    }

    /// <summary>(members verified, members whose key we hold, other members in all).</summary>
    public (int Verified, int Keys, int Others) Coverage()
    {
        lock (_lock)
        {
            var verified = _peers.Values.Count(p => p.State == PeerState.Verified);
            var keys = _peers.Values.Count(p => p.State == PeerState.Verified && p.NewestKeyId > 0);
            return (verified, keys, _peers.Count);
        }
    }

    /// <summary>The call code (<see cref="CallCodes"/>) of the certificates verified now, ours included.</summary>
    public string CallCode()
    {
        List<byte[]> hashes = [_self.Identity.CertificateHash];
        lock (_lock)
        {
            hashes.AddRange(_peers.Values.Where(p => p.State == PeerState.Verified).Select(p => p.CertificateHash!));
        }

        return CallCodes.Of(hashes);
    }

    public async ValueTask DisposeAsync()
    {
        await _rekeys.DisposeAsync().ConfigureAwait(false);

        lock (_lock)
        {
            foreach (var peer in _peers.Values)
            {
                peer.Dispose();
            }

            _peers.Clear();
        }

        _sendKey.Dispose();
    }
}

/// <summary>Who we are in one end-to-end session: our identity, the session (its <see cref="NameRules.SessionKey"/>), our member id in it, and its stretched passphrase.</summary>
internal sealed record SessionSelf(DaemonIdentity Identity, string Session, uint SelfId, byte[]? PassphraseKey);
