using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace S2cd.Wire;

/// <summary>
/// Parses wire frames from a <see cref="ReadOnlySequence{T}"/>. Never touches a socket; every
/// length is checked against the bytes present and the configured limits before it is used.
/// </summary>
internal static class FrameReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/>. Returns false when more bytes are needed.
    /// Throws <see cref="WireProtocolException"/> for a length of zero or above <paramref name="maxFrameBytes"/>.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out FrameType type, out ReadOnlySequence<byte> body)
    {
        type = default;
        body = default;
        if (buffer.Length < WireProtocol.LengthPrefixBytes)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[WireProtocol.LengthPrefixBytes];
        buffer.Slice(0, WireProtocol.LengthPrefixBytes).CopyTo(prefix);
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length == 0 || length > (uint)maxFrameBytes)
        {
            throw new WireProtocolException(WireError.MalformedFrame, $"frame length {length} is outside 1..{maxFrameBytes}");
        }

        if (buffer.Length < WireProtocol.LengthPrefixBytes + length)
        {
            return false;
        }

        var frame = buffer.Slice(WireProtocol.LengthPrefixBytes, length);
        type = (FrameType)frame.FirstSpan[0];
        body = frame.Slice(1);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    public static (ushort Version, MemberFlags Flags, string Session, string Name) ReadHello(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var version = ReadUInt16(ref reader);
        var flags = (MemberFlags)ReadByte(ref reader);
        var session = ReadString8(ref reader);
        var name = ReadString8(ref reader);
        EnsureEnd(ref reader);
        return (version, flags, session, name);
    }

    public static (ushort Version, uint SelfId, WireMember[] Members) ReadWelcome(ReadOnlySequence<byte> body, int maxMembers)
    {
        var reader = new SequenceReader<byte>(body);
        var version = ReadUInt16(ref reader);
        var self = ReadUInt32(ref reader);
        var count = ReadUInt16(ref reader);
        if (count > maxMembers)
        {
            throw new WireProtocolException(WireError.MalformedFrame, $"welcome lists {count} members; at most {maxMembers} are allowed");
        }

        var members = new WireMember[count];
        for (var i = 0; i < count; i++)
        {
            members[i] = ReadMember(ref reader);
        }

        EnsureEnd(ref reader);
        return (version, self, members);
    }

    public static (PresenceEvent Event, WireMember Member) ReadPresence(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var ev = (PresenceEvent)ReadByte(ref reader);
        if (ev is not (PresenceEvent.Joined or PresenceEvent.Changed or PresenceEvent.Left))
        {
            throw new WireProtocolException(WireError.MalformedFrame, $"unknown presence event {(byte)ev}");
        }

        var member = ReadMember(ref reader);
        EnsureEnd(ref reader);
        return (ev, member);
    }

    public static (MemberFlags Flags, string Name) ReadState(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var flags = (MemberFlags)ReadByte(ref reader);
        var name = ReadString8(ref reader);
        EnsureEnd(ref reader);
        return (flags, name);
    }

    /// <summary>Reads the media kind of a Media frame; the payload is what follows and is not looked at.</summary>
    public static MediaKind ReadMediaKind(ReadOnlySequence<byte> body)
    {
        if (body.Length < 1)
        {
            throw new WireProtocolException(WireError.MalformedFrame, "media frame has no kind");
        }

        var kind = (MediaKind)body.FirstSpan[0];
        if (!MediaKinds.IsKnown(kind))
        {
            throw new WireProtocolException(WireError.MalformedFrame, $"unknown media kind {(byte)kind}");
        }

        return kind;
    }

    public static (uint Sender, MediaKind Kind, ReadOnlySequence<byte> Payload) ReadMediaForward(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var sender = ReadUInt32(ref reader);
        var kind = ReadMediaKind(body.Slice(4));
        return (sender, kind, body.Slice(5));
    }

    /// <summary>
    /// Reads a Signal (daemon → relay: target) or SignalForward (relay → daemon: sender) frame: a member id and an
    /// end-to-end payload of at least one byte, which the relay does not read.
    /// </summary>
    public static (uint Member, ReadOnlySequence<byte> Payload) ReadSignal(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var member = ReadUInt32(ref reader);
        if (reader.End)
        {
            throw new WireProtocolException(WireError.MalformedFrame, "signal frame has no payload");
        }

        return (member, body.Slice(4));
    }

    public static ulong ReadPing(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out long value))
        {
            throw Truncated();
        }

        EnsureEnd(ref reader);
        return (ulong)value;
    }

    public static (uint Token, byte[] Key) ReadDatagramSetup(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var token = ReadUInt32(ref reader);
        var key = new byte[Datagram.DatagramKey.KeyBytes];
        if (!reader.TryCopyTo(key))
        {
            throw Truncated();
        }

        reader.Advance(key.Length);
        EnsureEnd(ref reader);
        return (token, key);
    }

    public static bool ReadMediaPath(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryRead(out var path) || path > 1)
        {
            throw new WireProtocolException(WireError.MalformedFrame, "media path must be 0 or 1");
        }

        EnsureEnd(ref reader);
        return path == 1;
    }

    public static (WireError Code, string Message) ReadError(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var code = (WireError)ReadUInt16(ref reader);
        var message = ReadString8(ref reader);
        return (code, message);
    }

    public static void EnsureEmpty(ReadOnlySequence<byte> body)
    {
        if (!body.IsEmpty)
        {
            throw new WireProtocolException(WireError.MalformedFrame, "frame has unexpected bytes");
        }
    }

    private static WireMember ReadMember(ref SequenceReader<byte> reader)
    {
        var id = ReadUInt32(ref reader);
        var flags = (MemberFlags)ReadByte(ref reader);
        var name = ReadString8(ref reader);
        return new WireMember(id, flags, name);
    }

    private static byte ReadByte(ref SequenceReader<byte> reader) =>
        reader.TryRead(out var value) ? value : throw Truncated();

    private static ushort ReadUInt16(ref SequenceReader<byte> reader) =>
        reader.TryReadBigEndian(out short value) ? (ushort)value : throw Truncated();

    private static uint ReadUInt32(ref SequenceReader<byte> reader) =>
        reader.TryReadBigEndian(out int value) ? (uint)value : throw Truncated();

    private static string ReadString8(ref SequenceReader<byte> reader)
    {
        var length = ReadByte(ref reader);
        if (reader.Remaining < length)
        {
            throw Truncated();
        }

        Span<byte> bytes = stackalloc byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new WireProtocolException(WireError.MalformedFrame, "string is not valid UTF-8");
        }
    }

    private static void EnsureEnd(ref SequenceReader<byte> reader)
    {
        if (!reader.End)
        {
            throw new WireProtocolException(WireError.MalformedFrame, "frame has trailing bytes");
        }
    }

    private static WireProtocolException Truncated() => new(WireError.MalformedFrame, "frame is truncated");
}
