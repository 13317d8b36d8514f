using System.Buffers;
using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Relay;

/// <summary>
/// One daemon connected to the relay: its hello, its place in a session, and the frames it sends.
/// Every frame is checked (type, size, state) before anything is done with it; media payloads are
/// forwarded as they are, never read.
/// </summary>
internal sealed class RelayMember
{
    private readonly RelayServer _relay;
    private readonly TokenBucket _bytes;
    private uint _audioCounter;

    public RelayMember(RelayServer relay, FrameConnection connection, uint id, string remote, TimeProvider time)
    {
        _relay = relay;
        Connection = connection;
        Id = id;
        Remote = remote;
        _bytes = new TokenBucket(relay.Options.MaxBytesPerSecondPerSender, relay.Options.MaxBytesPerSecondPerSender, time);
    }

    public FrameConnection Connection { get; }

    public uint Id { get; }

    public string Remote { get; }

    public string Name { get; private set; } = string.Empty;

    public MemberFlags Flags { get; private set; }

    public RelaySession? Session { get; private set; }

    public WireMember ToWire() => new(Id, Flags, Name);

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
        _relay.RemoveMember(session, this);
        session.BroadcastPresence(this, PresenceEvent.Left);
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
        var (joined, error) = _relay.AddMember(session, this, SendWelcome);
        if (joined is null)
        {
            Refuse(error.Code, error.Message);
            return;
        }

        Session = joined;
    }

    private void SendWelcome(RelayMember[] others)
    {
        var list = new WireMember[others.Length];
        for (var i = 0; i < others.Length; i++)
        {
            list[i] = others[i].ToWire();
        }

        Connection.SendControl((Id, list), static (w, s) => FrameWriter.WriteWelcome(w, s.Id, s.list));
    }

    private void Refuse(WireError code, string message)
    {
        _relay.LogRefused(Remote, message);
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
        if (!_bytes.TryTake(body.Length))
        {
            _relay.CountRateLimited();
            return;
        }

        if (kind == MediaKind.Audio && _relay.Options.TestDropAudioFraction > 0)
        {
            // Deterministic spread of drops for the loss tests: every n-th packet.
            var every = (uint)Math.Max(1, Math.Round(1 / _relay.Options.TestDropAudioFraction));
            if (++_audioCounter % every == 0)
            {
                return;
            }
        }

        var members = Session!.Members;
        if (members.Length < 2)
        {
            return;
        }

        var length = (int)payload.Length;
        var frame = SharedFrame.Rent(WireProtocol.MediaForwardHeaderBytes + length);
        var span = frame.GetSpan(WireProtocol.MediaForwardHeaderBytes + length);
        FrameWriter.WriteMediaForwardHeader(span, Id, kind, length);
        payload.CopyTo(span[WireProtocol.MediaForwardHeaderBytes..]);
        frame.Advance(WireProtocol.MediaForwardHeaderBytes + length);
        frame.AddReferences(members.Length - 2);
        foreach (var member in members)
        {
            if (member != this)
            {
                member.Connection.SendMedia(frame, kind, Id);
            }
        }

        _relay.CountForwarded(members.Length - 1);
    }

    /// <summary>
    /// Passes an end-to-end signal (certificate announcement, key bundle) to one member or, for target 0, to every
    /// other member, unread. Signals count against the sender's byte rate like media; a target that is not in
    /// the session (it may just have left) gets nothing.
    /// </summary>
    private void OnSignal(ReadOnlySequence<byte> body)
    {
        var (target, payload) = FrameReader.ReadSignal(body);
        if (!_bytes.TryTake(body.Length))
        {
            _relay.CountRateLimited();
            return;
        }

        foreach (var member in Session!.Members)
        {
            if (member != this && (target == 0 || member.Id == target))
            {
                member.Connection.SendControl((Id, payload), static (w, s) => FrameWriter.WriteSignal(w, FrameType.SignalForward, s.Id, s.payload));
            }
        }
    }
}
