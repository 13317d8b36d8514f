using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using S2cd.Relay;
using S2cd.Tests.Support;
using S2cd.Wire;

namespace S2cd.Tests.Relay;

/// <summary>
/// A relay past its capacity, on loopback with raw wire clients; its CPU reading is the test's (the CPU of a
/// test process says nothing), everything else is the real relay. Established members keep their audio and
/// their connections, video gives way, newcomers are told "relay busy"; back under, all comes back.
/// </summary>
public sealed class RelayUnderLoadTests : IAsyncLifetime
{
    private readonly string _state = Directory.CreateTempSubdirectory("s2cd-relay-load").FullName;
    private readonly Lock _lock = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private RelayServer _relay = null!;
    private double _share = 0.05;
    private TimeSpan _cpu;
    private long _last;

    public async ValueTask InitializeAsync()
    {
        _last = _start;
        _relay = new RelayServer(
            // Audio is kept a second in a queue here: a loaded test machine must not make the relay's own
            // freshness rule drop what this test counts.
            Options.Create(new RelayOptions { Listen = "127.0.0.1:0", MaxLoad = 80, HeartbeatSeconds = 0.5, TimeoutSeconds = 2, AudioMaxAgeMilliseconds = 1000 }),
            new RelayPlacement(Standalone: true, _state),
            TimeProvider.System,
            NullLogger<RelayServer>.Instance,
            Cpu);
        await _relay.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task PastMaxLoad_NewJoinsAreRefusedAsBusy_VideoGivesWay_AudioAndMembersStay_ThenAllComesBack()
    {
        var endpoint = _relay.LocalEndPoint!;
        var pin = _relay.CertificateFingerprint!;
        var (a, _) = await RawRelayClient.JoinAsync(endpoint, pin, "load", "a");
        var (b, _) = await RawRelayClient.JoinAsync(endpoint, pin, "load", "b");
        await using (a)
        await using (b)
        {
            AssertAll(await SendAndCountAsync(a, b));

            SetShare(0.95);
            await Eventually.TrueAsync(() => Task.FromResult(_relay.Overload.Step == RelayOverload.NoVideo), TimeSpan.FromSeconds(10), "video thinned to nothing");
            Assert.True(_relay.Overload.Busy);

            // A newcomer is refused with the reason; the two already in keep their audio, not their video.
            await using (var late = await RawRelayClient.ConnectAsync(endpoint, pin))
            {
                await late.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, "load", "late"));
                var (type, body) = await late.ReadFrameAsync(TimeSpan.FromSeconds(5));
                Assert.Equal(FrameType.Error, type);
                var (code, message) = FrameReader.ReadError(new ReadOnlySequence<byte>(body));
                Assert.Equal(WireError.RelayBusy, code);
                Assert.StartsWith("relay busy", message, StringComparison.Ordinal);
            }

            Assert.Equal((10, 0), await SendAndCountAsync(a, b));
            Assert.True(_relay.Overload.VideoShed >= 10);

            // Busy for longer than the heartbeat timeout: nobody was dropped.
            await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
            Assert.Equal((10, 0), await SendAndCountAsync(b, a));

            SetShare(0.05);
            await Eventually.TrueAsync(() => Task.FromResult(!_relay.Overload.Busy && _relay.Overload.Step == 0), TimeSpan.FromSeconds(10), "back under the limit");
            AssertAll(await SendAndCountAsync(a, b));
            var (c, _) = await RawRelayClient.JoinAsync(endpoint, pin, "load", "c");
            await c.DisposeAsync();
        }
    }

    /// <summary>Not busy: all the audio, and the video but for what a newer frame replaced in a queue (latest wins).</summary>
    private static void AssertAll((int Audio, int Video) received)
    {
        Assert.Equal(10, received.Audio);
        Assert.InRange(received.Video, 8, 10);
    }

    /// <summary>Ten audio and ten video frames from one member: how many of each the other receives.</summary>
    private static async Task<(int Audio, int Video)> SendAndCountAsync(RawRelayClient from, RawRelayClient to)
    {
        for (var i = 0; i < 10; i++)
        {
            await from.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Audio, [1, 2, 3]));
            await from.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Video, new byte[2000]));
            await Task.Delay(20);
        }

        int audio = 0, video = 0;
        while (await to.TryReadUntilAsync(FrameType.MediaForward, TimeSpan.FromMilliseconds(500)) is { } body)
        {
            var kind = FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(body)).Kind;
            audio += kind == MediaKind.Audio ? 1 : 0;
            video += kind == MediaKind.Video ? 1 : 0;
        }

        return (audio, video);
    }

    private void SetShare(double share)
    {
        Cpu();
        lock (_lock)
        {
            _share = share;
        }
    }

    /// <summary>CPU time as if the relay had used the set share of all cores since the last reading.</summary>
    private TimeSpan Cpu()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _cpu += Stopwatch.GetElapsedTime(_last, now) * (Environment.ProcessorCount * _share);
            _last = now;
            return _cpu;
        }
    }
}
