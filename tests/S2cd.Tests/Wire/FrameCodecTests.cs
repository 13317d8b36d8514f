using System.Buffers;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Tests.Wire;

public sealed class FrameCodecTests
{
    [Fact]
    public void Hello_RoundTrip_KeepsEveryField()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHello(writer, MemberFlags.Muted, "standup", "Zoë");
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.True(FrameReader.TryReadFrame(ref buffer, 1024, out var type, out var body));
        Assert.Equal(FrameType.Hello, type);
        Assert.Equal((WireProtocol.Version, MemberFlags.Muted, "standup", "Zoë"), FrameReader.ReadHello(body));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Welcome_SplitAcrossSegments_ParsesOnceComplete()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteWelcome(writer, 7, [new WireMember(1, MemberFlags.CameraOn, "a"), new WireMember(2, MemberFlags.None, "b")]);
        var bytes = writer.WrittenMemory.ToArray();
        var partial = new ReadOnlySequence<byte>(bytes.AsMemory(0, bytes.Length - 1));
        Assert.False(FrameReader.TryReadFrame(ref partial, 1024, out _, out _));

        var buffer = Segments.Of(bytes, 3);
        Assert.True(FrameReader.TryReadFrame(ref buffer, 1024, out var type, out var body));
        Assert.Equal(FrameType.Welcome, type);
        var (_, self, members) = FrameReader.ReadWelcome(body, 16);
        Assert.Equal(7u, self);
        Assert.Equal(["a", "b"], members.Select(m => m.Name));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 1 })]
    [InlineData(new byte[] { 0, 0, 4, 1, 1 })]
    public void TryReadFrame_LengthZeroOrOverLimit_Throws(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Throws<WireProtocolException>(() => FrameReader.TryReadFrame(ref buffer, 1024, out _, out _));
    }

    [Fact]
    public void ReadHello_Truncated_ThrowsProtocolError()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHello(writer, MemberFlags.None, "room", "name");
        var body = new ReadOnlySequence<byte>(writer.WrittenMemory[5..^2]);
        Assert.Throws<WireProtocolException>(() => FrameReader.ReadHello(body));
    }

    [Fact]
    public void ReadHello_InvalidUtf8_ThrowsProtocolError()
    {
        byte[] body = [0, 1, 0, 2, 0xC3, 0x28, 1, (byte)'x'];
        Assert.Throws<WireProtocolException>(() => FrameReader.ReadHello(new ReadOnlySequence<byte>(body)));
    }

    [Fact]
    public void ReadWelcome_MoreMembersThanAllowed_Throws()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteWelcome(writer, 1, [.. Enumerable.Range(0, 5).Select(i => new WireMember((uint)i, 0, "m"))]);
        Assert.Throws<WireProtocolException>(() => FrameReader.ReadWelcome(new ReadOnlySequence<byte>(writer.WrittenMemory[5..]), 4));
    }

    [Fact]
    public void ReadMediaKind_Unknown_Throws()
    {
        Assert.Throws<WireProtocolException>(() => FrameReader.ReadMediaKind(new ReadOnlySequence<byte>([9, 1, 2])));
        Assert.Throws<WireProtocolException>(() => FrameReader.ReadMediaKind(ReadOnlySequence<byte>.Empty));
    }

    [Fact]
    public void MediaForward_HeaderAndPayload_RoundTrip()
    {
        var frame = SharedFrame.Rent(64);
        byte[] payload = [1, 2, 3, 4, 5];
        var span = frame.GetSpan(WireProtocol.MediaForwardHeaderBytes + payload.Length);
        FrameWriter.WriteMediaForwardHeader(span, 42, MediaKind.Audio, payload.Length);
        payload.CopyTo(span[WireProtocol.MediaForwardHeaderBytes..]);
        frame.Advance(WireProtocol.MediaForwardHeaderBytes + payload.Length);
        var buffer = new ReadOnlySequence<byte>(frame.Memory);
        Assert.True(FrameReader.TryReadFrame(ref buffer, 1024, out var type, out var body));
        Assert.Equal(FrameType.MediaForward, type);
        var (sender, kind, read) = FrameReader.ReadMediaForward(body);
        Assert.Equal(42u, sender);
        Assert.Equal(MediaKind.Audio, kind);
        Assert.Equal(payload, read.ToArray());
        frame.Release();
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long index)
        {
            Memory = memory;
            RunningIndex = index;
        }

        public static ReadOnlySequence<byte> Of(byte[] bytes, int size)
        {
            var first = new Segments(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
            var last = first;
            for (var offset = size; offset < bytes.Length; offset += size)
            {
                var next = new Segments(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), offset);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
