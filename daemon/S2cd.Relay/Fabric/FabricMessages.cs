using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Relay.Fabric;

/// <summary>The kinds of message a relay sends its session's subject on the fabric.</summary>
internal enum FabricMessage : byte
{
    Presence = 1,
    State = 2,
    Query = 3,
    Media = 4,
    Signal = 5,
}

/// <summary>
/// The fabric's messages, written and read: the one place their layout lives, beside the frame codec of the link.
/// Every message (opened from its seal) is a type byte and the sending relay's node id (8 bytes, little-endian),
/// then its body: presence (event, member), state (count, members), query (nothing), media (sender, kind, payload),
/// signal (sender, target, payload). A member is its id (4), flags (1) and name (its length in one byte, then UTF-8):
/// the layout .NET's BinaryWriter wrote for these before this codec, so relays of both kinds read each other. Reading checks every
/// length against what is there and refuses trailing bytes; a message that fails any check is dropped whole.
/// </summary>
internal static class FabricMessages
{
    public const int HeaderBytes = 9;
    public const int MediaHeaderBytes = HeaderBytes + 5;
    public const int SignalHeaderBytes = HeaderBytes + 8;

    /// <summary>The longest name on the fabric: a display name's characters, three UTF-8 bytes each at most (under 128: its length is one byte).</summary>
    public const int MaxNameBytes = NameRules.MaxDisplayNameLength * 3;

    /// <summary>The shortest member: id, flags, a one-byte length and one byte of name.</summary>
    private const int MinMemberBytes = 4 + 1 + 1 + 1;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Presence(ulong node, PresenceEvent ev, WireMember member)
    {
        var writer = Start(FabricMessage.Presence, node, 1 + MemberBytes(member));
        writer.GetSpan(1)[0] = (byte)ev;
        writer.Advance(1);
        WriteMember(writer, member);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] State(ulong node, WireMember[] members)
    {
        var writer = Start(FabricMessage.State, node, 2 + members.Sum(MemberBytes));
        BinaryPrimitives.WriteUInt16LittleEndian(writer.GetSpan(2), checked((ushort)members.Length));
        writer.Advance(2);
        foreach (var member in members)
        {
            WriteMember(writer, member);
        }

        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Query(ulong node) => Start(FabricMessage.Query, node, 0).WrittenSpan.ToArray();

    /// <summary>Writes a media message into <paramref name="destination"/> (at least <see cref="MediaHeaderBytes"/> plus the payload); returns its length.</summary>
    public static int WriteMedia(Span<byte> destination, ulong node, uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        WriteHeader(destination, FabricMessage.Media, node);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[HeaderBytes..], sender);
        destination[HeaderBytes + 4] = (byte)kind;
        payload.CopyTo(destination[MediaHeaderBytes..]);
        return MediaHeaderBytes + (int)payload.Length;
    }

    public static byte[] Signal(ulong node, uint sender, uint target, ReadOnlySequence<byte> payload)
    {
        var message = new byte[SignalHeaderBytes + payload.Length];
        WriteHeader(message, FabricMessage.Signal, node);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(HeaderBytes), sender);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(HeaderBytes + 4), target);
        payload.CopyTo(message.AsSpan(SignalHeaderBytes));
        return message;
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> message, out FabricMessage type, out ulong node)
    {
        type = default;
        node = 0;
        if (message.Length < HeaderBytes)
        {
            return false;
        }

        type = (FabricMessage)message[0];
        node = BinaryPrimitives.ReadUInt64LittleEndian(message[1..]);
        return true;
    }

    public static bool TryReadPresence(ReadOnlySpan<byte> body, out PresenceEvent ev, out WireMember member)
    {
        ev = default;
        member = default;
        if (body.IsEmpty)
        {
            return false;
        }

        ev = (PresenceEvent)body[0];
        var rest = body[1..];
        return ev is PresenceEvent.Joined or PresenceEvent.Changed or PresenceEvent.Left
            && TryReadMember(ref rest, out member)
            && rest.IsEmpty;
    }

    public static bool TryReadState(ReadOnlySpan<byte> body, out WireMember[] members)
    {
        members = [];
        if (body.Length < 2)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(body);
        var rest = body[2..];

        // No room is made for more members than the bytes could hold.
        if (count > rest.Length / MinMemberBytes)
        {
            return false;
        }

        var read = new WireMember[count];
        for (var i = 0; i < count; i++)
        {
            if (!TryReadMember(ref rest, out read[i]))
            {
                return false;
            }
        }

        members = read;
        return rest.IsEmpty;
    }

    public static bool TryReadQuery(ReadOnlySpan<byte> body) => body.IsEmpty;

    /// <summary>A media message's sender and kind; its payload is the body from byte 5 on (possibly empty).</summary>
    public static bool TryReadMedia(ReadOnlySpan<byte> body, out uint sender, out MediaKind kind)
    {
        sender = 0;
        kind = default;
        if (body.Length < MediaHeaderBytes - HeaderBytes)
        {
            return false;
        }

        sender = BinaryPrimitives.ReadUInt32LittleEndian(body);
        kind = (MediaKind)body[4];
        return MediaKinds.IsKnown(kind);
    }

    /// <summary>A signal's sender and target; its payload is the body from byte 8 on.</summary>
    public static bool TryReadSignal(ReadOnlySpan<byte> body, out uint sender, out uint target)
    {
        sender = 0;
        target = 0;
        if (body.Length < SignalHeaderBytes - HeaderBytes)
        {
            return false;
        }

        sender = BinaryPrimitives.ReadUInt32LittleEndian(body);
        target = BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
        return true;
    }

    private static ArrayBufferWriter<byte> Start(FabricMessage type, ulong node, int body)
    {
        var writer = new ArrayBufferWriter<byte>(HeaderBytes + body);
        WriteHeader(writer.GetSpan(HeaderBytes), type, node);
        writer.Advance(HeaderBytes);
        return writer;
    }

    private static void WriteHeader(Span<byte> destination, FabricMessage type, ulong node)
    {
        destination[0] = (byte)type;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], node);
    }

    private static int MemberBytes(WireMember member) => 4 + 1 + 1 + Encoding.UTF8.GetByteCount(member.Name);

    private static void WriteMember(ArrayBufferWriter<byte> writer, WireMember member)
    {
        var name = Encoding.UTF8.GetByteCount(member.Name);
        if (name > MaxNameBytes)
        {
            throw new ArgumentException($"a name of {name} bytes does not fit the fabric's {MaxNameBytes}", nameof(member));
        }

        var span = writer.GetSpan(MemberBytes(member));
        BinaryPrimitives.WriteUInt32LittleEndian(span, member.Id);
        span[4] = (byte)member.Flags;
        span[5] = (byte)name;
        writer.Advance(6 + Encoding.UTF8.GetBytes(member.Name, span[6..]));
    }

    private static bool TryReadMember(ref ReadOnlySpan<byte> from, out WireMember member)
    {
        member = default;
        if (from.Length < 4 + 1 + 1)
        {
            return false;
        }

        var id = BinaryPrimitives.ReadUInt32LittleEndian(from);
        var flags = (MemberFlags)from[4];
        const int at = 6;
        int length = from[5];
        if (length == 0 || length > MaxNameBytes || length > from.Length - at)
        {
            return false;
        }

        string name;
        try
        {
            name = Strict.GetString(from.Slice(at, length));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        member = new WireMember(id, flags, name);
        from = from[(at + length)..];
        return true;
    }
}
