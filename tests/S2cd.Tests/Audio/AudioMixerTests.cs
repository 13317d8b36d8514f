using System.Buffers;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>The receiving side of audio fed by hand: bad packets are counted, never thrown; the jitter buffer recovers.</summary>
public sealed class AudioMixerTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void OnAudio_GarbageWrongSizesAndWildSequences_NeverThrowAndAreCounted()
    {
        using var mixer = new AudioMixer(Options.Create(new AudioOptions()), _time);
        var random = new Random(3);
        var output = new short[AudioOptions.PeriodSamples];
        for (var i = 0; i < 2000; i++)
        {
            var payload = new byte[random.Next(0, 2000)];
            random.NextBytes(payload);
            if (payload.Length > AudioPacketHeader.Size && i % 2 == 0)
            {
                // A valid header in front of garbage "Opus" with a wild sequence number.
                new AudioPacketHeader((uint)random.Next(), 0, 40).Write(payload);
            }

            mixer.OnAudio((uint)(i % 3), new ReadOnlySequence<byte>(payload));
            mixer.Mix(output);
        }

        var figures = mixer.Figures();
        Assert.True(figures.Rejected > 0);
    }

    [Fact]
    public void Pull_LostPacket_IsRecoveredFromTheNextPacketsFec()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var buffer = new JitterBuffer(40, 20, 200, _time);
        var packets = Enumerable.Range(1, 20).Select(i => Encode(encoder, i)).ToList();
        var samples = new short[AudioOptions.FrameSamples];

        // Packet 5 never arrives; 6 carries its FEC copy.
        foreach (var (seq, opus) in packets.Take(2))
        {
            buffer.Insert(new AudioPacketHeader(seq, seq * 20_000L, 20), opus, 0);
        }

        Assert.NotNull(buffer.Pull(samples));
        foreach (var (seq, opus) in packets.Skip(2).Take(4).Where(p => p.Seq != 5))
        {
            buffer.Insert(new AudioPacketHeader(seq, seq * 20_000L, 20), opus, 0);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(buffer.Pull(samples));
        }

        Assert.Equal(1, buffer.Lost);
        Assert.Equal(1, buffer.Recovered);
        Assert.Equal(0, buffer.Concealed);
    }

    [Fact]
    public void Pull_Underrun_StretchesInsteadOfSkippingAndRaisesTheTarget()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var buffer = new JitterBuffer(40, 20, 200, _time);
        var samples = new short[AudioOptions.FrameSamples];
        buffer.Insert(new AudioPacketHeader(1, 0, 20), Encode(encoder, 1).Opus, 0);
        buffer.Insert(new AudioPacketHeader(2, 20_000, 20), Encode(encoder, 2).Opus, 0);
        Assert.NotNull(buffer.Pull(samples));
        Assert.NotNull(buffer.Pull(samples));

        // Nothing more has arrived: the buffer runs dry, conceals, and waits for packet 3 rather than skipping it.
        Assert.Equal(0, buffer.Pull(samples));
        Assert.Equal(1, buffer.Underruns);
        Assert.Equal(60, buffer.TargetMs);
        buffer.Insert(new AudioPacketHeader(3, 40_000, 20), Encode(encoder, 3).Opus, 0);
        Assert.Equal(40_000, buffer.Pull(samples));
        Assert.Equal(0, buffer.Late);
        Assert.Equal(0, buffer.Lost);
    }

    [Fact]
    public void Insert_LatePacket_IsDroppedNotQueued()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var buffer = new JitterBuffer(20, 20, 200, _time);
        var samples = new short[AudioOptions.FrameSamples];
        for (uint seq = 10; seq < 14; seq++)
        {
            buffer.Insert(new AudioPacketHeader(seq, seq * 20_000L, 20), Encode(encoder, (int)seq).Opus, 0);
        }

        buffer.Pull(samples);
        buffer.Pull(samples);
        buffer.Insert(new AudioPacketHeader(10, 200_000, 20), Encode(encoder, 10).Opus, 0);
        Assert.Equal(1, buffer.Late);
    }

    private static (uint Seq, byte[] Opus) Encode(OpusEncoder encoder, int seq)
    {
        var frame = new short[AudioOptions.FrameSamples];
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)(8000 * Math.Sin(2 * Math.PI * 300 * ((seq * frame.Length) + i) / 48000));
        }

        var packet = new byte[AudioPacketHeader.MaxOpusBytes];
        var length = encoder.Encode(frame, packet);
        return ((uint)seq, packet[..length]);
    }
}
