using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace S2cd.Wire;

/// <summary>Writes wire frames to an <see cref="IBufferWriter{T}"/>. Strings longer than 255 UTF-8 bytes are refused.</summary>
internal static class FrameWriter
{
    public static void WriteHello(IBufferWriter<byte> output, MemberFlags flags, string session, string name)
    {
        var length = 1 + 2 + 1 + String8Length(session) + String8Length(name);
        var span = Begin(output, FrameType.Hello, length);
        BinaryPrimitives.WriteUInt16BigEndian(span[5..], WireProtocol.Version);
        span[7] = (byte)flags;
        var offset = 8;
        offset += WriteString8(span[offset..], session);
        offset += WriteString8(span[offset..], name);
        output.Advance(offset);
    }

    public static void WriteWelcome(IBufferWriter<byte> output, uint selfId, IReadOnlyList<WireMember> members)
    {
        var length = 1 + 2 + 4 + 2;
        foreach (var member in members)
        {
            length += 4 + 1 + String8Length(member.Name);
        }

        var span = Begin(output, FrameType.Welcome, length);
        BinaryPrimitives.WriteUInt16BigEndian(span[5..], WireProtocol.Version);
        BinaryPrimitives.WriteUInt32BigEndian(span[7..], selfId);
        BinaryPrimitives.WriteUInt16BigEndian(span[11..], (ushort)members.Count);
        var offset = 13;
        foreach (var member in members)
        {
            offset += WriteMember(span[offset..], member);
        }

        output.Advance(offset);
    }

    public static void WritePresence(IBufferWriter<byte> output, PresenceEvent ev, WireMember member)
    {
        var length = 1 + 1 + 4 + 1 + String8Length(member.Name);
        var span = Begin(output, FrameType.Presence, length);
        span[5] = (byte)ev;
        var offset = 6 + WriteMember(span[6..], member);
        output.Advance(offset);
    }

    public static void WriteState(IBufferWriter<byte> output, MemberFlags flags, string name)
    {
        var length = 1 + 1 + String8Length(name);
        var span = Begin(output, FrameType.State, length);
        span[5] = (byte)flags;
        var offset = 6 + WriteString8(span[6..], name);
        output.Advance(offset);
    }

    public static void WriteEmpty(IBufferWriter<byte> output, FrameType type)
    {
        Begin(output, type, 1);
        output.Advance(5);
    }

    public static void WriteMedia(IBufferWriter<byte> output, MediaKind kind, ReadOnlySpan<byte> payload)
    {
        var span = Begin(output, FrameType.Media, 1 + 1 + payload.Length);
        span[5] = (byte)kind;
        payload.CopyTo(span[6..]);
        output.Advance(6 + payload.Length);
    }

    /// <summary>Writes the header of a Media frame of <paramref name="payloadLength"/> bytes; returns the span for the payload. The caller advances.</summary>
    public static Span<byte> BeginMedia(IBufferWriter<byte> output, MediaKind kind, int payloadLength)
    {
        var span = Begin(output, FrameType.Media, 1 + 1 + payloadLength);
        span[5] = (byte)kind;
        return span.Slice(6, payloadLength);
    }

    /// <summary>Writes the header of a forwarded media frame into <paramref name="destination"/>; the payload follows it.</summary>
    public static void WriteMediaForwardHeader(Span<byte> destination, uint sender, MediaKind kind, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(1 + 4 + 1 + payloadLength));
        destination[4] = (byte)FrameType.MediaForward;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], sender);
        destination[9] = (byte)kind;
    }

    /// <summary>Writes a Signal (<paramref name="type"/>) or SignalForward frame: a member id and an end-to-end payload.</summary>
    public static void WriteSignal(IBufferWriter<byte> output, FrameType type, uint member, ReadOnlySequence<byte> payload)
    {
        var span = Begin(output, type, 1 + 4 + (int)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], member);
        payload.CopyTo(span[9..]);
        output.Advance(9 + (int)payload.Length);
    }

    public static void WritePing(IBufferWriter<byte> output, FrameType type, ulong token)
    {
        var span = Begin(output, type, 1 + 8);
        BinaryPrimitives.WriteUInt64BigEndian(span[5..], token);
        output.Advance(13);
    }

    /// <summary>DatagramSetup (relay → daemon): the token and key of the member's datagram path.</summary>
    public static void WriteDatagramSetup(IBufferWriter<byte> output, uint token, ReadOnlySpan<byte> key)
    {
        var span = Begin(output, FrameType.DatagramSetup, 1 + 4 + key.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], token);
        key.CopyTo(span[9..]);
        output.Advance(9 + key.Length);
    }

    /// <summary>MediaPath (daemon → relay): whether media to this daemon should go as datagrams (1) or on the link (0).</summary>
    public static void WriteMediaPath(IBufferWriter<byte> output, bool datagrams)
    {
        var span = Begin(output, FrameType.MediaPath, 1 + 1);
        span[5] = datagrams ? (byte)1 : (byte)0;
        output.Advance(6);
    }

    public static void WriteError(IBufferWriter<byte> output, WireError code, string message)
    {
        message = Truncate(message, 255);
        var span = Begin(output, FrameType.Error, 1 + 2 + String8Length(message));
        BinaryPrimitives.WriteUInt16BigEndian(span[5..], (ushort)code);
        var offset = 7 + WriteString8(span[7..], message);
        output.Advance(offset);
    }

    private static Span<byte> Begin(IBufferWriter<byte> output, FrameType type, int length)
    {
        var span = output.GetSpan(WireProtocol.LengthPrefixBytes + length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
        span[4] = (byte)type;
        return span;
    }

    private static int WriteMember(Span<byte> span, WireMember member)
    {
        BinaryPrimitives.WriteUInt32BigEndian(span, member.Id);
        span[4] = (byte)member.Flags;
        return 5 + WriteString8(span[5..], member.Name);
    }

    private static int String8Length(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > 255)
        {
            throw new ArgumentException("string is longer than 255 UTF-8 bytes", nameof(value));
        }

        return 1 + length;
    }

    private static int WriteString8(Span<byte> span, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, span[1..]);
        span[0] = (byte)length;
        return 1 + length;
    }

    private static string Truncate(string value, int maxBytes)
    {
        while (Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            value = value[..^1];
        }

        return value;
    }
}
