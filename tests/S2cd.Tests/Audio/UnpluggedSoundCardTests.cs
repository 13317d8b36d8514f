using S2cd.Contract;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Tests.Conference;
using S2cd.Tests.Support;

namespace S2cd.Tests.Audio;

/// <summary>
/// A sound card unplugged in the middle of a call. ALSA's file plugin, which the other audio tests use, cannot
/// vanish (it turns a closed pipe into silence), and no USB headset can be pulled here: these tests use a MOCKED
/// sound card that fails as alsa-lib does for a device that is gone (ENODEV), beside two real conference cores.
/// </summary>
public sealed class UnpluggedSoundCardTests
{
    [Fact(Timeout = 60_000)]
    public async Task Speaker_UnpluggedMidCall_WithAMockedSoundCard_IsShownAndRetried_WhileTheMicrophoneAndVideoGoOn()
    {
        using var call = new InMemoryCall(TimeProvider.System);
        await using var alice = await call.JoinAsync("alice");
        await using var bob = await call.JoinAsync("bob");
        var card = new MockedSoundCard();
        using var audio = new AudioService(
            Options.Create(new AudioOptions { CaptureDevice = "mocked", PlaybackDevice = "mocked", RetrySeconds = 0.5, Transmit = TransmitMode.Continuous }),
            alice.Link,
            alice.Audio,
            TimeProvider.System,
            alice.Health,
            NullLogger<AudioService>.Instance,
            card.Open);
        await audio.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => Task.FromResult(alice.Link.GetStatus() is { Microphone: { Condition: DeviceCondition.On, Detail: "mocked" }, Speaker: { Condition: DeviceCondition.On, Detail: "mocked" } }), TimeSpan.FromSeconds(20), "the mocked card's microphone and speaker on");
        await Eventually.TrueAsync(() => Task.FromResult(bob.Sees("alice").AudioLevel is not null), TimeSpan.FromSeconds(20), "bob hears alice");

        card.SpeakerPresent = false;
        await Eventually.TrueAsync(
            () => Task.FromResult(alice.Link.GetStatus().Speaker is { Condition: DeviceCondition.Unavailable, Detail: { } d } && d.StartsWith("snd_pcm_writei: No such device", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "the unplugged speaker is shown");
        var status = alice.Link.GetStatus();
        Assert.Equal(0.5, status.Speaker.RetrySeconds);
        Assert.Contains(status.Problems, p => p.Kind == ProblemKind.SpeakerUnavailable && p.Detail.StartsWith("snd_pcm_", StringComparison.Ordinal));
        Assert.Equal(DeviceStatus.On("mocked"), status.Microphone);

        // The rest of the call goes on: bob still hears alice's microphone and sees her pictures.
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.True(bob.Sees("alice").AudioLevel is not null, "alice's microphone goes on");
        uint sequence = 0;
        await Eventually.TrueAsync(() => Task.FromResult(ConferenceCoreTests.SendPicture(alice, ++sequence) && bob.Pictures.Get(bob.Sees("alice").Id).Picture is not null), TimeSpan.FromSeconds(20), "alice's pictures at bob");

        // Plugged in again: the retry opens it.
        card.SpeakerPresent = true;
        await Eventually.TrueAsync(() => Task.FromResult(alice.Link.GetStatus().Speaker == DeviceStatus.On("mocked")), TimeSpan.FromSeconds(10), "the speaker back");
        Assert.Empty(alice.Link.GetStatus().Problems);
        await audio.StopAsync(CancellationToken.None);
    }

    /// <summary>A stand-in for a USB headset: a 440 Hz tone at its microphone (sent continuously: a tone is not speech); its speaker can be pulled out and put back.</summary>
    private sealed class MockedSoundCard
    {
        private const int NoSuchDevice = -19;

        public volatile bool SpeakerPresent = true;

        public IPcm Open(string device, bool capture, uint rate, int channels, int periodFrames, int periods) =>
            capture || SpeakerPresent ? new Pcm(this, capture, periodFrames, periods) : throw new AlsaException($"snd_pcm_open({device})", NoSuchDevice);

        private sealed class Pcm(MockedSoundCard card, bool capture, int periodFrames, int periods) : IPcm
        {
            private long _sample;

            public int PeriodFrames => periodFrames;

            public int BufferFrames => periodFrames * periods;

            public long Xruns => 0;

            public int Delay() => 0;

            public int Read(Span<short> samples)
            {
                for (var i = 0; i < samples.Length; i++, _sample++)
                {
                    samples[i] = (short)(0.3 * 32767 * Math.Sin(2 * Math.PI * 440 * _sample / 48000));
                }

                return samples.Length;
            }

            public void Write(ReadOnlySpan<short> samples)
            {
                if (!capture && !card.SpeakerPresent)
                {
                    throw new AlsaException("snd_pcm_writei", NoSuchDevice);
                }
            }

            public void Dispose()
            {
            }
        }
    }
}
