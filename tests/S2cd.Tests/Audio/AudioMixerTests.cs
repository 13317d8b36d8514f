using System.Buffers;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>The receiving side of audio fed by hand: bad packets are counted, never thrown; the jitter buffer recovers.</summary>
public sealed class AudioMixerTests
{
    private readonly ManualTimeProvider _time = new();

    /// <summary>Wall-clock time that moves only when a test says so, for what the mixer times in Unix time (comfort noise).</summary>
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

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

        Assert.NotNull(buffer.Pull(samples, out _));
        foreach (var (seq, opus) in packets.Skip(2).Take(4).Where(p => p.Seq != 5))
        {
            buffer.Insert(new AudioPacketHeader(seq, seq * 20_000L, 20), opus, 0);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(buffer.Pull(samples, out _));
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
        Assert.NotNull(buffer.Pull(samples, out _));
        Assert.NotNull(buffer.Pull(samples, out _));

        // Nothing more has arrived: the buffer runs dry, conceals, and waits for packet 3 rather than skipping it.
        Assert.Equal(0, buffer.Pull(samples, out _));
        Assert.Equal(1, buffer.Underruns);
        Assert.Equal(60, buffer.TargetMs);
        buffer.Insert(new AudioPacketHeader(3, 40_000, 20), Encode(encoder, 3).Opus, 0);
        Assert.Equal(40_000, buffer.Pull(samples, out _));
        Assert.Equal(0, buffer.Late);
        Assert.Equal(0, buffer.Lost);
    }

    [Fact]
    public void RunningDry_AfterAPacketThatAnnouncesAPause_EndsTheTalkSpurtQuietly_AndTheNextPacketBuffersAfresh()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var buffer = new JitterBuffer(40, 20, 200, _time);
        var samples = new short[AudioOptions.FrameSamples];
        buffer.Insert(new AudioPacketHeader(1, 0, 20, Voice: true), Encode(encoder, 1).Opus, 0);
        buffer.Insert(new AudioPacketHeader(2, 20_000, 20, Voice: false, Pause: true), Encode(encoder, 2).Opus, 0);
        Assert.NotNull(buffer.Pull(samples, out _));
        Assert.NotNull(buffer.Pull(samples, out _));

        // The sender said it pauses: nothing is played from it, and the link is not blamed.
        Assert.Null(buffer.Pull(samples, out _));
        Assert.Null(buffer.Pull(samples, out _));
        Assert.Equal((0, 0, 0, 1), (buffer.Underruns, buffer.Concealed, buffer.Lost, buffer.Pauses));
        Assert.Equal(40, buffer.TargetMs);
        Assert.False(buffer.Playing);

        // Speech again, seconds later: the next sequence number starts a new spurt at the target depth.
        buffer.Insert(new AudioPacketHeader(3, 3_000_000, 20, Voice: true), Encode(encoder, 3).Opus, 0);
        Assert.Null(buffer.Pull(samples, out _));
        buffer.Insert(new AudioPacketHeader(4, 3_020_000, 20, Voice: true), Encode(encoder, 4).Opus, 0);
        Assert.Equal(3_000_000, buffer.Pull(samples, out _));
        Assert.Equal(0, buffer.Lost);
    }

    [Fact]
    public void TenMsFrames_AimAtTwoFrames_AndASenderThatSwitchesTo20Ms_IsPlayedWhole_AndCountedInItsFrames()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var buffer = new JitterBuffer(20, 10, 200, _time);
        var samples = new short[AudioOptions.FrameSamples];

        // 10 ms frames: playout starts at two of them (20 ms), each pull gives 480 samples.
        buffer.Insert(new AudioPacketHeader(1, 0, 20), Encode(encoder, 1, AudioOptions.PeriodSamples).Opus, 0);
        Assert.Null(buffer.Pull(samples, out _));
        buffer.Insert(new AudioPacketHeader(2, 10_000, 20), Encode(encoder, 2, AudioOptions.PeriodSamples).Opus, 0);
        Assert.Equal(20, buffer.TargetMs);
        Assert.Equal(0, buffer.Pull(samples, out var length));
        Assert.Equal(AudioOptions.PeriodSamples, length);
        Assert.Equal(10_000, buffer.Pull(samples, out _));

        // The link got worse and the sender went to 20 ms: two frames are now 40 ms, and each pull gives 960 samples.
        buffer.Insert(new AudioPacketHeader(3, 20_000, 20), Encode(encoder, 3, AudioOptions.FrameSamples).Opus, 0);
        Assert.Equal(40, buffer.TargetMs);
        Assert.Equal(20, buffer.DepthMs);
        buffer.Insert(new AudioPacketHeader(4, 40_000, 20), Encode(encoder, 4, AudioOptions.FrameSamples).Opus, 0);
        Assert.Equal(20_000, buffer.Pull(samples, out length));
        Assert.Equal(AudioOptions.FrameSamples, length);
        Assert.True(Signal.Rms(samples) > 1000, "the 20 ms frame decodes whole");
        Assert.Equal((0, 0, 0), (buffer.Lost, buffer.Concealed, buffer.Underruns));
    }

    [Fact]
    public void FrameLength_Is10MsOverAGoodUdpLink_20MsOverTlsOrLoss_AndShortAgainAfter10GoodSeconds()
    {
        var frames = new FrameLength(shortFrames: true);
        Assert.Equal(10, frames.Ms);
        (bool OverTls, long Received, long Lost, int Second, int Ms, string Why)[] steps =
        [
            (false, 100, 0, 1, 10, "a clean second over UDP"),
            (false, 197, 3, 2, 20, "3 lost of 100 in the last second: poor"),
            (false, 297, 3, 6, 20, "good again, but not yet for 10 s"),
            (false, 397, 3, 12, 10, "10 good seconds"),
            (true, 400, 3, 13, 20, "media fell back to the TLS link"),
            (false, 405, 5, 24, 10, "back on UDP, and a second of 7 packets says nothing about loss"),
        ];
        foreach (var step in steps)
        {
            frames.Update(step.OverTls, step.Received, step.Lost, TimeSpan.FromSeconds(step.Second));
            Assert.True(step.Ms == frames.Ms, $"{step.Why}: {frames.Ms} ms frames, expected {step.Ms}");
        }

        var always = new FrameLength(shortFrames: false);
        always.Update(overTls: false, received: 100, lost: 0, TimeSpan.FromSeconds(30));
        Assert.Equal(20, always.Ms);
    }

    [Fact]
    public void AudioPacketHeader_Version2_CarriesVoiceAndPause_Version1_StillReads_AndUnknownFlagsAreRefused()
    {
        var packet = new byte[AudioPacketHeader.Size + 3];
        new AudioPacketHeader(7, 1234, 30, Voice: true, Pause: true).Write(packet);
        Assert.Equal((new AudioPacketHeader(7, 1234, 30, true, true), AudioPacketHeader.Size), AudioPacketHeader.TryRead(packet));

        packet[14] = 4;
        Assert.Null(AudioPacketHeader.TryRead(packet));
        packet[0] = 3;
        Assert.Null(AudioPacketHeader.TryRead(packet));

        // A version-1 sender (no flags byte): its level decides its speaking mark, as before.
        var old = new byte[14 + 3];
        old[0] = 1;
        old[13] = 20;
        Assert.Equal((new AudioPacketHeader(0, 0, 20, Voice: true), 14), AudioPacketHeader.TryRead(old));
        old[13] = 60;
        Assert.False(AudioPacketHeader.TryRead(old)!.Value.Header.Voice);
        Assert.Null(AudioPacketHeader.TryRead(old.AsSpan(0, 14)));
    }

    [Fact]
    public void AComfortNoiseDescription_IsAHeaderAlone_WithPauseAndNoise_AndNothingElseLooksLikeOne()
    {
        var description = new byte[AudioPacketHeader.Size];
        new AudioPacketHeader(9, 5678, 62, Pause: true, Noise: true).Write(description);
        Assert.Equal((new AudioPacketHeader(9, 5678, 62, Pause: true, Noise: true), AudioPacketHeader.Size), AudioPacketHeader.TryRead(description));

        // With an Opus packet after it, without the pause flag, or with the voice flag: refused.
        var withOpus = new byte[AudioPacketHeader.Size + 3];
        description.CopyTo(withOpus, 0);
        Assert.Null(AudioPacketHeader.TryRead(withOpus));
        foreach (var flags in new byte[] { 4, 5, 7 })
        {
            description[14] = flags;
            Assert.Null(AudioPacketHeader.TryRead(description));
        }

        // A header alone without the noise flag is no packet at all.
        description[14] = 2;
        Assert.Null(AudioPacketHeader.TryRead(description));
    }

    [Fact]
    public void InAPause_TheSendersRoomIsPlayedAtItsLevel_NeverLouderThanMinus40_AndFadesWhenDescriptionsStop()
    {
        using var mixer = new AudioMixer(Options.Create(new AudioOptions()), _clock);
        Assert.Equal(double.NegativeInfinity, Signal.Dbfs(MixFor(mixer, 0.5)));

        Describe(mixer, sender: 1, level: 60);
        Assert.InRange(Signal.Dbfs(MixFor(mixer, 1)), -61.5, -58.5);

        // At the member's volume; and a sender that claims a loud room is played at -40 dBFS at most.
        mixer.UseVolumes(_ => 50);
        Assert.InRange(Signal.Dbfs(MixFor(mixer, 1)), -67.5, -64.5);
        mixer.UseVolumes(_ => 100);
        Describe(mixer, sender: 1, level: 3);
        Assert.InRange(Signal.Dbfs(MixFor(mixer, 1)), -41.5, -38.5);

        // Silence described (the sender muted): nothing. Descriptions that stop: nothing after 2.5 s.
        Describe(mixer, sender: 1, level: 127);
        Assert.Equal(double.NegativeInfinity, Signal.Dbfs(MixFor(mixer, 0.5)));
        Describe(mixer, sender: 1, level: 60);
        _clock.Advance(TimeSpan.FromSeconds(2.6));
        Assert.Equal(double.NegativeInfinity, Signal.Dbfs(MixFor(mixer, 0.5)));
    }

    [Fact]
    public void WithComfortNoiseOff_APauseIsSilent()
    {
        using var mixer = new AudioMixer(Options.Create(new AudioOptions { ComfortNoise = false }), _clock);
        Describe(mixer, sender: 1, level: 60);
        Assert.Equal(double.NegativeInfinity, Signal.Dbfs(MixFor(mixer, 1)));
    }

    [Fact]
    public void TheRoomLevel_IsDescribedAtThePausesStart_ThenOnceASecond_AndSilenceOnceWhenMuted()
    {
        var room = new RoomLevel();
        var frame = new short[AudioOptions.FrameSamples];
        var random = new Random(2);
        var described = new List<int>();
        for (var i = 0; i < 120; i++)
        {
            for (var j = 0; j < frame.Length; j++)
            {
                frame[j] = (short)((random.NextDouble() * 2 - 1) * 32768 * 0.01 * Math.Sqrt(3));
            }

            if (room.Heard(frame))
            {
                described.Add(i);
            }
        }

        Assert.Equal([0, 50, 100], described);
        Assert.InRange(room.Level, 39, 41);

        // Speech, then a pause: described at once. Muted: silence said once.
        room.Sent();
        Assert.True(room.Heard(frame));
        Assert.True(room.Silenced());
        Assert.False(room.Silenced());
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

        buffer.Pull(samples, out _);
        buffer.Pull(samples, out _);
        buffer.Insert(new AudioPacketHeader(10, 200_000, 20), Encode(encoder, 10).Opus, 0);
        Assert.Equal(1, buffer.Late);
    }

    [Fact]
    public void Bursts_DeepenTheBufferWithinASecond_ItShrinksAgainWhenArrivalsSteadyInSilence_AndALongLossIsConcealed()
    {
        using var encoder = new OpusEncoder(48000, 24000, 5);
        using var buffer = new JitterBuffer(40, 20, 200, _time);
        var samples = new short[AudioOptions.FrameSamples];
        uint seq = 0;
        var pulls = 0;

        // A link that holds packets and lets them go in bursts every 100 ms (transit 5 to 85 ms), 2 s of speech.
        long Burst(uint s) => ((((s * 20_000L) / 100_000) + 1) * 100_000) + 5_000;
        var underrunsAfterOneSecond = 0L;
        for (var tick = 0; tick < 100; tick++)
        {
            var now = tick * 20_000L;
            while (Burst(seq) <= now)
            {
                buffer.Insert(new AudioPacketHeader(seq, seq * 20_000L, 20), Encode(encoder, (int)seq).Opus, Burst(seq));
                seq++;
            }

            buffer.Pull(samples, out _);
            pulls++;
            if (tick == 50)
            {
                Assert.True(buffer.TargetMs >= 80, $"target {buffer.TargetMs} ms after 1 s of bursts");
                underrunsAfterOneSecond = buffer.Underruns;
            }
        }

        Assert.Equal(underrunsAfterOneSecond, buffer.Underruns);

        // Then steady arrivals (5 ms transit) of silence: the target comes back down, and the backlog with it.
        var offset = (pulls * 20_000L) - (seq * 20_000L);
        for (var tick = 0; tick < 200; tick++)
        {
            var capture = seq * 20_000L;
            if (seq % 50 is < 45 or > 47)
            {
                buffer.Insert(new AudioPacketHeader(seq, capture, 127), Encode(encoder, (int)seq).Opus, capture + offset + 5_000);
            }

            seq++;
            buffer.Pull(samples, out _);
        }

        Assert.True(buffer.TargetMs <= 40, $"target {buffer.TargetMs} ms after 4 s of steady silence");
        Assert.True(buffer.DepthMs <= buffer.TargetMs + 40, $"depth {buffer.DepthMs} ms over a target of {buffer.TargetMs} ms");

        // Three packets in a row lost, four times over: the last of each rebuilt from the next packet's FEC copy,
        // the two before it concealed; all counted as lost.
        Assert.True(buffer.Lost >= 12, $"{buffer.Lost} lost");
        Assert.True(buffer.Recovered >= 4, $"{buffer.Recovered} recovered");
        Assert.True(buffer.Concealed >= 8, $"{buffer.Concealed} concealed");
    }

    private static (uint Seq, byte[] Opus) Encode(OpusEncoder encoder, int seq, int samples = AudioOptions.FrameSamples)
    {
        var frame = new short[samples];
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (short)(8000 * Math.Sin(2 * Math.PI * 300 * ((seq * frame.Length) + i) / 48000));
        }

        var packet = new byte[AudioPacketHeader.MaxOpusBytes];
        var length = encoder.Encode(frame, packet);
        return ((uint)seq, packet[..length]);
    }

    private void Describe(AudioMixer mixer, uint sender, byte level)
    {
        var description = new byte[AudioPacketHeader.Size];
        new AudioPacketHeader(1, 0, level, Pause: true, Noise: true).Write(description);
        mixer.OnAudio(sender, new ReadOnlySequence<byte>(description));
    }

    /// <summary>What the mixer plays over <paramref name="seconds"/>, 10 ms at a time, the clock moving with it.</summary>
    private short[] MixFor(AudioMixer mixer, double seconds)
    {
        var all = new short[(int)(seconds * 100) * AudioOptions.PeriodSamples];
        for (var at = 0; at < all.Length; at += AudioOptions.PeriodSamples)
        {
            mixer.Mix(all.AsSpan(at, AudioOptions.PeriodSamples));
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        return all;
    }
}
