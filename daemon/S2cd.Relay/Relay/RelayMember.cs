using System.Buffers;
using System.Net;
using System.Net.Sockets;
using S2cd.Contract;
using S2cd.Datagram;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>Passes a whole frame on to a receiver as datagrams (through the receive loop's own socket).</summary>
internal delegate void FrameSender(RelayMember receiver, uint sender, MediaKind kind, uint frame, ReadOnlySpan<byte> payload);

/// <summary>
/// One daemon connected to the relay: its hello, its place in a session, and the frames it sends.
/// Every frame is checked (type, size, state) before anything is done with it; media payloads are
/// forwarded as they are, never read (a datagram is opened from the hop's encryption only: the payload in it is
/// still sealed end to end).
/// </summary>
internal sealed class RelayMember
{
    private readonly RelayContext _relay;
    private readonly TokenBucket _bytes;
    private readonly Lock _bytesLock = new();

    // Chat messages from this member (text comes on the link only, so only the link's reader loop takes from it).
    private readonly MessageWindow _texts;
    private uint _audioCounter;

    // Video frames from this member seen while the relay thins video under load.
    private uint _videoCounter;
    private uint _videoFrame;
    private uint _audioFrame;

    public RelayMember(RelayContext relay, FrameConnection connection, uint id, string remote)
    {
        _relay = relay;
        Connection = connection;
        Id = id;
        Remote = remote;
        _bytes = new TokenBucket(relay.Options.MaxBytesPerSecondPerSender, relay.Options.MaxBytesPerSecondPerSender, relay.Time);
        _texts = new MessageWindow(MediaKinds.TextMessages, MediaKinds.TextWindowOnTheWay, relay.Time);
    }

    public FrameConnection Connection { get; }

    public uint Id { get; }

    public string Remote { get; }

    public string Name { get; private set; } = string.Empty;

    public MemberFlags Flags { get; private set; }

    public RelaySession? Session { get; private set; }

    public WireMember ToWire() => new(Id, Flags, Name);

    /// <summary>This member's datagram path, once the relay set one up for it (null: none).</summary>
    public MemberDatagrams? Datagrams { get; private set; }

    /// <summary>The member takes media as datagrams now.</summary>
    public bool UsesDatagrams => Datagrams is { InUse: true };

    public void OnFrame(FrameType type, ReadOnlySequence<byte> body)
    {
        if (Session is null)
        {
            if (type != FrameType.Hello)
            {
                throw new WireProtocolException(WireError.UnexpectedFrame, $"expected hello, got {type}");
            }

            OnHello(body);
            return;
        }

        switch (type)
        {
            case FrameType.Media:
                OnMedia(body);
                break;
            case FrameType.Signal:
                OnSignal(body);
                break;
            case FrameType.State:
                OnState(body);
                break;
            case FrameType.MediaPath:
                var wants = FrameReader.ReadMediaPath(body);
                Datagrams?.Want(wants);
                break;
            case FrameType.Leave:
                FrameReader.EnsureEmpty(body);
                Connection.Abort("left the session");
                break;
            default:
                throw new WireProtocolException(WireError.UnexpectedFrame, $"unexpected frame type 0x{(byte)type:x2}");
        }
    }

    /// <summary>Takes the member out of its session and tells the others; called once, when the connection ends.</summary>
    public void Detach()
    {
        var session = Session;
        if (session is null)
        {
            return;
        }

        Session = null;
        _relay.Sessions.RemoveMember(session, this);
        session.BroadcastPresence(this, PresenceEvent.Left);
        if (Datagrams is { } path)
        {
            // The key is not disposed here: a receive loop may be opening a datagram with it this moment. Its
            // native handle goes with the finalizer.
            _relay.Datagrams?.Unregister(path.Token, Id);
        }
    }

    private void OnHello(ReadOnlySequence<byte> body)
    {
        var (version, flags, session, name) = FrameReader.ReadHello(body);
        if (version != WireProtocol.Version)
        {
            Refuse(WireError.VersionMismatch, $"relay speaks wire protocol {WireProtocol.Version}, the daemon {version}");
            return;
        }

        var problem = NameRules.CheckSession(session) ?? NameRules.CheckDisplayName(name);
        if (problem is not null)
        {
            Refuse(WireError.InvalidName, problem);
            return;
        }

        Name = name;
        Flags = flags & (MemberFlags.Muted | MemberFlags.CameraOn);
        var (joined, error) = _relay.Sessions.AddMember(session, this, SendWelcome);
        if (joined is null)
        {
            Refuse(error.Code, error.Message);
            return;
        }

        Session = joined;
        if (_relay.Datagrams is { } datagrams)
        {
            var (token, key) = datagrams.Register(this);
            Datagrams = new MemberDatagrams(token, key);
            Connection.SendControl((token, key), static (w, s) => FrameWriter.WriteDatagramSetup(w, s.token, s.key));
        }
    }

    private void SendWelcome(WireMember[] others) =>
        Connection.SendControl((Id, others), static (w, s) => FrameWriter.WriteWelcome(w, s.Id, s.others));

    private void Refuse(WireError code, string message)
    {
        _relay.Refused(Remote, message);
        Connection.CloseWithError(code, message);
    }

    private void OnState(ReadOnlySequence<byte> body)
    {
        var (flags, name) = FrameReader.ReadState(body);
        var problem = NameRules.CheckDisplayName(name);
        if (problem is not null)
        {
            throw new WireProtocolException(WireError.InvalidName, problem);
        }

        Name = name;
        Flags = flags & (MemberFlags.Muted | MemberFlags.CameraOn);
        Session?.BroadcastPresence(this, PresenceEvent.Changed);
    }

    private void OnMedia(ReadOnlySequence<byte> body)
    {
        var kind = FrameReader.ReadMediaKind(body);
        var payload = body.Slice(1);
        if ((kind == MediaKind.Text && !TakeText(payload.Length)) || (kind == MediaKind.Screen && payload.Length > MediaKinds.MaxScreenPayloadBytes)
            || !TakeBytes(body.Length) || DropForTest(kind) || (kind == MediaKind.Video && !_relay.Overload.TakeVideo(ref _videoCounter)))
        {
            return;
        }

        var session = Session!;
        var datagramFrame = kind == MediaKind.Video ? ++_videoFrame : ++_audioFrame;
        Fanout(_relay, session.Members, this, Id, kind, payload, datagramFrame);
        session.Fabric?.PublishMedia(Id, kind, payload);
    }

    /// <summary>
    /// Passes a media payload from <paramref name="senderId"/> on to every member of <paramref name="members"/> but
    /// <paramref name="except"/>: as datagrams to those that take them (through <paramref name="forward"/>, the
    /// receiving loop's own sender, when it came as datagrams), in one shared frame on the others' links.
    /// </summary>
    internal static void Fanout(RelayContext relay, RelayMember[] members, RelayMember? except, uint senderId, MediaKind kind, ReadOnlySequence<byte> payload, uint datagramFrame, FrameSender? forward = null)
    {
        if (members.Length == 0 || (members.Length == 1 && members[0] == except))
        {
            return;
        }

        var linkReceivers = ArrayPool<RelayMember>.Shared.Rent(members.Length);
        var onLink = 0;
        byte[]? flat = null;
        foreach (var member in members)
        {
            if (member == except)
            {
                continue;
            }

            if (member.UsesDatagrams && MediaKinds.TakesDatagrams(kind) && relay.Datagrams is { } datagrams)
            {
                var whole = payload.IsSingleSegment ? payload.FirstSpan : (flat ??= payload.ToArray());
                if (forward is null)
                {
                    datagrams.SendPayload(member, senderId, kind, datagramFrame, whole);
                }
                else
                {
                    forward(member, senderId, kind, datagramFrame, whole);
                }
            }
            else
            {
                linkReceivers[onLink++] = member;
            }
        }

        SendOnLinks(senderId, kind, payload, linkReceivers, onLink);
        relay.Counters.CountForwarded(kind, members.Length - (except is null ? 0 : 1), (int)payload.Length);
    }

    /// <summary>One MediaForward frame, shared by the receivers that take media on their TLS link; returns the rented list.</summary>
    private static void SendOnLinks(uint senderId, MediaKind kind, ReadOnlySequence<byte> payload, RelayMember[] receivers, int count)
    {
        if (count > 0)
        {
            var length = (int)payload.Length;
            var frame = SharedFrame.Rent(WireProtocol.MediaForwardHeaderBytes + length);
            var span = frame.GetSpan(WireProtocol.MediaForwardHeaderBytes + length);
            FrameWriter.WriteMediaForwardHeader(span, senderId, kind, length);
            payload.CopyTo(span[WireProtocol.MediaForwardHeaderBytes..]);
            frame.Advance(WireProtocol.MediaForwardHeaderBytes + length);
            frame.AddReferences(count - 1);
            for (var i = 0; i < count; i++)
            {
                receivers[i].Connection.SendMedia(frame, kind, senderId);
            }
        }

        Array.Clear(receivers, 0, count);
        ArrayPool<RelayMember>.Shared.Return(receivers);
    }

    /// <summary>
    /// A media fragment that came as a datagram. Its frame is put together here, and once whole it is passed on to
    /// every other member: as datagrams (all of a frame's fragments for one receiver in one system call where the
    /// kernel segments UDP) or in one frame on their TLS link. A frame missing a fragment goes to nobody, as it would
    /// have been dropped by each receiver anyway. False when the fragment is malformed.
    /// </summary>
    public bool OnDatagramMedia(ReadOnlyMemory<byte> fragment, FrameSender forward, Reassembler reassembler)
    {
        if (Session is not { } session || !MediaFragment.TryRead(fragment.Span, out var kind, out var frame, out var index, out var count, out _))
        {
            return Session is not null ? false : true;
        }

        if (!TakeBytes(fragment.Length) || (index == 0 && DropForTest(kind))
            || !reassembler.TryAdd(Id, kind, frame, index, count, fragment[MediaFragment.HeaderBytes..], out var whole)
            || (kind == MediaKind.Video && !_relay.Overload.TakeVideo(ref _videoCounter)))
        {
            return true;
        }

        Fanout(_relay, session.Members, this, Id, kind, new ReadOnlySequence<byte>(whole), frame, forward);
        session.Fabric?.PublishMedia(Id, kind, new ReadOnlySequence<byte>(whole));
        return true;
    }

    /// <summary>
    /// A chat message passes when it is no larger than a message may be and the member has sent fewer than
    /// <see cref="MediaKinds.TextMessages"/> in the window; otherwise it goes to nobody (its sender's daemon
    /// holds it to the same rule and tells its user; only a daemon that does not gets here).
    /// </summary>
    private bool TakeText(long length)
    {
        if (length <= MediaKinds.MaxTextPayloadBytes && _texts.TryTake())
        {
            return true;
        }

        _relay.Counters.CountTextRefused();
        return false;
    }

    private bool TakeBytes(long bytes)
    {
        lock (_bytesLock)
        {
            if (_bytes.TryTake(bytes))
            {
                return true;
            }
        }

        _relay.Counters.CountRateLimited();
        return false;
    }

    /// <summary>For the loss tests: every n-th audio packet dropped on purpose (Relay:TestDropAudioFraction).</summary>
    private bool DropForTest(MediaKind kind)
    {
        if (kind != MediaKind.Audio || _relay.Options.TestDropAudioFraction <= 0)
        {
            return false;
        }

        var every = (uint)Math.Max(1, Math.Round(1 / _relay.Options.TestDropAudioFraction));
        return Interlocked.Increment(ref _audioCounter) % every == 0;
    }

    /// <summary>
    /// Passes an end-to-end signal (certificate announcement, key bundle) to one member or, for target 0, to every
    /// other member, unread. Signals count against the sender's byte rate like media; a target that is not in
    /// the session (it may just have left) gets nothing.
    /// </summary>
    private void OnSignal(ReadOnlySequence<byte> body)
    {
        var (target, payload) = FrameReader.ReadSignal(body);
        if (!TakeBytes(body.Length))
        {
            return;
        }

        var session = Session!;
        session.DeliverSignal(Id, target, payload, except: this);
        if (session.Fabric is { } fabric && (target == 0 || fabric.IsRemote(target)))
        {
            fabric.PublishSignal(Id, target, payload);
        }
    }
}
