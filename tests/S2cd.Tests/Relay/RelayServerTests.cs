using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Security;
using S2cd.Tests.Support;
using S2cd.Wire;

namespace S2cd.Tests.Relay;

/// <summary>The relay on loopback port 0, driven by raw wire clients.</summary>
public sealed class RelayServerTests : IAsyncLifetime
{
    private readonly string _state = Directory.CreateTempSubdirectory("s2cd-relay-test").FullName;
    private RelayServer _relay = null!;

    private IPEndPoint Endpoint => _relay.LocalEndPoint!;

    private string Pin => _relay.CertificateFingerprint!;

    public async ValueTask InitializeAsync()
    {
        _relay = new RelayServer(
            // TestLoad 0: the CPU of this test process (every test running beside these) is not the relay's.
            Options.Create(new RelayOptions
            {
                TestLoad = 0,
                Listen = "127.0.0.1:0",
                MaxParticipantsPerSession = 3,
                MaxSessions = 4,
                MaxFrameBytes = 64 * 1024,
                MaxBytesPerSecondPerSender = 1024 * 1024,
                HeartbeatSeconds = 0.5,
                TimeoutSeconds = 2,
                QueueCapacity = 32,
            }),
            new RelayPlacement(Standalone: true, _state),
            TimeProvider.System,
            NullLogger<RelayServer>.Instance);
        await _relay.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact(Timeout = 30_000)]
    public async Task Text_PassesTwentyMessagesInTheWindow_NoneLargerThanAMessage_AndTheCallGoesOn()
    {
        var (a, aId) = await RawRelayClient.JoinAsync(Endpoint, Pin, "text", "a");
        var (b, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "text", "b");
        await using (a)
        await using (b)
        {
            // A member that does not hold itself to the limit (a daemon does): one message too large, then 30 at once.
            await a.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Text, new byte[MediaKinds.MaxTextPayloadBytes + 1]));
            for (var i = 0; i < 30; i++)
            {
                await a.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Text, [1, (byte)i]));
            }

            var passed = new List<byte[]>();
            while (await b.TryReadUntilAsync(FrameType.MediaForward, TimeSpan.FromSeconds(1)) is { } body)
            {
                var (sender, kind, payload) = FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(body));
                Assert.Equal((aId, MediaKind.Text), (sender, kind));
                passed.Add(payload.ToArray());
            }

            Assert.Equal([.. Enumerable.Range(0, MediaKinds.TextMessages).Select(i => new byte[] { 1, (byte)i })], passed);
            Assert.Equal(11, _relay.Counters.TextRefused);

            // The sender is still in the call, and its other media still passes.
            await a.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Audio, [7, 7, 7]));
            var next = await b.ReadUntilAsync(FrameType.MediaForward, _ => true, TimeSpan.FromSeconds(5));
            Assert.Equal(MediaKind.Audio, FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(next)).Kind);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Media_FromOneMember_ReachesTheOthersUnchangedAndNotTheSender()
    {
        var (a, aId) = await RawRelayClient.JoinAsync(Endpoint, Pin, "s", "a");
        var (b, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "s", "b");
        var (c, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "s", "c");
        await using (a)
        await using (b)
        await using (c)
        {
            byte[] payload = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];
            await a.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Video, payload));
            foreach (var receiver in new[] { b, c })
            {
                var body = await receiver.ReadUntilAsync(FrameType.MediaForward, _ => true, TimeSpan.FromSeconds(5));
                var (sender, kind, read) = FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(body));
                Assert.Equal((aId, MediaKind.Video), (sender, kind));
                Assert.Equal(payload, read.ToArray());
            }

            // The sender gets no copy back: the next thing it sees is b's audio, not its own video.
            await b.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Audio, [1, 2, 3]));
            var next = await a.ReadUntilAsync(FrameType.MediaForward, _ => true, TimeSpan.FromSeconds(5));
            Assert.Equal(MediaKind.Audio, FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(next)).Kind);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Hello_SessionFull_IsRefusedWithReasonAndMembersStay()
    {
        var members = new List<RawRelayClient>();
        for (var i = 0; i < 3; i++)
        {
            members.Add((await RawRelayClient.JoinAsync(Endpoint, Pin, "full", $"m{i}")).Client);
        }

        await using var extra = await RawRelayClient.ConnectAsync(Endpoint, Pin);
        await extra.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, "full", "late"));
        var (type, body) = await extra.ReadFrameAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(FrameType.Error, type);
        var (code, message) = FrameReader.ReadError(new ReadOnlySequence<byte>(body));
        Assert.Equal(WireError.SessionFull, code);
        Assert.Contains("full", message, StringComparison.Ordinal);
        Assert.True(await extra.IsClosedWithinAsync(TimeSpan.FromSeconds(5)));
        await AssertSessionWorksAsync(members[0], members[1]);
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Hello_TooManySessions_IsRefusedWithReasonAndClosed_AndTheSessionsCarryOn()
    {
        var members = new List<RawRelayClient>();
        for (var i = 0; i < 4; i++)
        {
            members.Add((await RawRelayClient.JoinAsync(Endpoint, Pin, $"s{i}", "m")).Client);
        }

        var (second, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "s0", "m2");
        members.Add(second);
        await using var extra = await RawRelayClient.ConnectAsync(Endpoint, Pin);
        await extra.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, "fifth", "m"));
        var (type, body) = await extra.ReadFrameAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(FrameType.Error, type);
        var (code, message) = FrameReader.ReadError(new ReadOnlySequence<byte>(body));
        Assert.Equal(WireError.TooManySessions, code);
        Assert.Contains("limit of 4 sessions", message, StringComparison.Ordinal);
        Assert.True(await extra.IsClosedWithinAsync(TimeSpan.FromSeconds(5)), "the refused client is closed");
        await AssertSessionWorksAsync(members[0], second);
        await AssertSessionWorksAsync(second, members[0]);
        Assert.Equal(4, _relay.SessionCount);
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Connect_PastMaxConnections_IsClosedAtOnce_TheOthersCarryOn_AndAFreedPlaceIsTaken()
    {
        var state = Directory.CreateTempSubdirectory("s2cd-relay-limit").FullName;
        var relay = new RelayServer(
            Options.Create(new RelayOptions { TestLoad = 0, Listen = "127.0.0.1:0", MaxConnections = 2, HeartbeatSeconds = 0.5, TimeoutSeconds = 2 }),
            new RelayPlacement(Standalone: true, state),
            TimeProvider.System,
            NullLogger<RelayServer>.Instance);
        await relay.StartAsync(CancellationToken.None);
        try
        {
            var (a, _) = await RawRelayClient.JoinAsync(relay.LocalEndPoint!, relay.CertificateFingerprint, "c", "a");
            var (b, _) = await RawRelayClient.JoinAsync(relay.LocalEndPoint!, relay.CertificateFingerprint, "c", "b");
            await using (b)
            {
                // Closed before its TLS handshake: the handshake meets the end of the stream (not a timeout, not a
                // refusal by a relay that let it in).
                var third = await Record.ExceptionAsync(() => RawRelayClient.ConnectAsync(relay.LocalEndPoint!, relay.CertificateFingerprint));
                Assert.True(
                    third is IOException or System.Security.Authentication.AuthenticationException,
                    $"the third connection is closed during its TLS handshake, not: {third?.GetType().Name ?? "let in"}: {third?.Message}");
                Assert.Equal(2, relay.ConnectionCount);
                await AssertSessionWorksAsync(a, b);

                await a.DisposeAsync();
                await Eventually.TrueAsync(() => Task.FromResult(relay.ConnectionCount == 1), TimeSpan.FromSeconds(5), "a's place is free");
                var (c, _) = await RawRelayClient.JoinAsync(relay.LocalEndPoint!, relay.CertificateFingerprint, "c", "c");
                await using (c)
                {
                    await AssertSessionWorksAsync(c, b);
                }
            }
        }
        finally
        {
            await relay.DisposeAsync();
            Directory.Delete(state, recursive: true);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData("bad session", "name")]
    [InlineData("ok", "esc\u001b[0m")]
    public async Task Hello_InvalidNames_AreRefused(string session, string name)
    {
        await using var client = await RawRelayClient.ConnectAsync(Endpoint, Pin);
        await client.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, session, name));
        var (type, body) = await client.ReadFrameAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(FrameType.Error, type);
        Assert.Equal(WireError.InvalidName, FrameReader.ReadError(new ReadOnlySequence<byte>(body)).Code);
    }

    [Fact(Timeout = 30_000)]
    public async Task Frame_OverSizeLimit_ClosesThatConnectionOnly()
    {
        var (a, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "big", "a");
        var (b, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "big", "b");
        var (c, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "big", "c");
        await using (a)
        await using (b)
        await using (c)
        {
            await a.SendRawAsync(new byte[] { 0x00, 0x10, 0x00, 0x00, (byte)FrameType.Media, 1 });
            Assert.True(await a.IsClosedWithinAsync(TimeSpan.FromSeconds(5)));
            await b.ReadUntilAsync(FrameType.Presence, body => body[0] == (byte)PresenceEvent.Left, TimeSpan.FromSeconds(5));
            await AssertSessionWorksAsync(b, c);
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData(new byte[] { 0, 0, 0, 2, (byte)FrameType.Media, 1 })]
    [InlineData(new byte[] { 0, 0, 0, 1, 0x66 })]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2F, 0x20, 0x48, 0x54, 0x54, 0x50 })]
    public async Task Garbage_BeforeHello_ClosesTheConnection(byte[] bytes)
    {
        await using var client = await RawRelayClient.ConnectAsync(Endpoint, Pin);
        await client.SendRawAsync(bytes);
        Assert.True(await client.IsClosedWithinAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, _relay.SessionCount);
    }

    [Fact(Timeout = 30_000)]
    public async Task State_Change_ReachesOthersAsPresence()
    {
        var (a, aId) = await RawRelayClient.JoinAsync(Endpoint, Pin, "st", "a");
        var (b, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "st", "b");
        await using (a)
        await using (b)
        {
            await a.SendAsync(w => FrameWriter.WriteState(w, MemberFlags.Muted | MemberFlags.CameraOn, "a2"));
            var body = await b.ReadUntilAsync(FrameType.Presence, x => x[0] == (byte)PresenceEvent.Changed, TimeSpan.FromSeconds(5));
            var (_, member) = FrameReader.ReadPresence(new ReadOnlySequence<byte>(body));
            Assert.Equal(new WireMember(aId, MemberFlags.Muted | MemberFlags.CameraOn, "a2"), member);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task PlainTcpClient_AndStalledHandshake_AreDroppedAndMembersCarryOn()
    {
        var (a, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "tls", "a");
        var (b, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "tls", "b");
        await using (a)
        await using (b)
        {
            // The members keep reading (and answering heartbeats) while the bad clients come and go.
            var media = new[] { a, b }.Select(m => m.ReadUntilAsync(FrameType.MediaForward, _ => true, TimeSpan.FromSeconds(20))).ToArray();

            // Plain TCP to a TLS relay: the hello is not a TLS record, so the handshake fails and the relay closes.
            await using (var plain = await RawRelayClient.ConnectAsync(Endpoint, fingerprint: null))
            {
                await plain.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, "tls", "plain"));
                Assert.True(await plain.IsClosedWithinAsync(TimeSpan.FromSeconds(5)));
            }

            // A client that connects and never starts the handshake is closed by the handshake deadline.
            await using (var silent = await RawRelayClient.ConnectAsync(Endpoint, fingerprint: null))
            {
                Assert.True(await silent.IsClosedWithinAsync(TimeSpan.FromSeconds(5)));
            }

            var (c, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "tls", "c");
            await using (c)
            {
                await c.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Audio, [9, 9, 9]));
                foreach (var body in await Task.WhenAll(media))
                {
                    Assert.Equal([9, 9, 9], FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(body)).Payload.ToArray());
                }
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Certificate_IsOwnerOnly_AndReusedAfterRestart()
    {
        var path = Path.Combine(_state, RelayCertificate.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_state));
        var first = Pin;
        Assert.True(Fingerprint.IsValid(first));

        await using var again = new RelayServer(
            Options.Create(new RelayOptions { TestLoad = 0, Listen = "127.0.0.1:0" }),
            new RelayPlacement(Standalone: true, _state),
            TimeProvider.System,
            NullLogger<RelayServer>.Instance);
        await again.StartAsync(CancellationToken.None);
        Assert.Equal(first, again.CertificateFingerprint);
        var (client, _) = await RawRelayClient.JoinAsync(again.LocalEndPoint!, first, "again", "a");
        await client.DisposeAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task SilentPeer_IsDroppedWithinFiveSeconds()
    {
        var (watcher, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "hb", "watcher");
        await using var _w = watcher;

        // A member that says hello and then sends nothing, not even heartbeats: a dead link.
        await using var silent = await RawRelayClient.ConnectAsync(Endpoint, Pin);
        await silent.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, "hb", "silent"));
        var started = DateTime.UtcNow;
        await watcher.ReadUntilAsync(FrameType.Presence, x => x[0] == (byte)PresenceEvent.Joined, TimeSpan.FromSeconds(5));
        await watcher.ReadUntilAsync(FrameType.Presence, x => x[0] == (byte)PresenceEvent.Left, TimeSpan.FromSeconds(6));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 90_000)]
    public async Task SlowReceiver_DoesNotDelayTheOthers_AndGetsTheNewestVideoWhenItReadsAgain()
    {
        var (sender, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "slow", "sender");
        var (fast, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "slow", "fast");
        await using (sender)
        await using (fast)
        {
            // The fast receiver's delay, first without a slow member in the session, then with one that never reads
            // through a 4 KB receive window (its relay queue fills and drops).
            var alone = await FastReceiverDelaysAsync(sender, fast, first: 0);
            var (stuck, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "slow", "stuck", receiveBuffer: 4096);
            await using (stuck)
            {
                var beside = await FastReceiverDelaysAsync(sender, fast, first: 1000);
                Assert.True(_relay.QueueDrops > 0, "the stuck receiver's queue dropped video");

                // Not a benchmark: a relay that let the stuck member hold the others back would add seconds, not milliseconds.
                Assert.True(Median(beside) < Median(alone) + 50, $"median {Median(alone):0.0} ms alone, {Median(beside):0.0} ms beside a stuck member");

                // Reading again, the stuck member gets video up to the newest picture sent, having lost those in between.
                var last = -1;
                var got = 0;
                while (await stuck.TryReadUntilAsync(FrameType.MediaForward, TimeSpan.FromSeconds(2)) is { } body)
                {
                    last = BitConverter.ToInt32(FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(body)).Payload.ToArray(), 0);
                    got++;
                }

                Assert.Equal(1000 + Frames - 1, last);
                Assert.InRange(got, 1, Frames - 1);
            }
        }
    }

    private const int Frames = 1000;

    /// <summary>Sends <see cref="Frames"/> 800-byte video frames 1 ms apart (under the relay's 1 MB/s per sender); returns how long each took to reach <paramref name="fast"/>, in ms.</summary>
    private static async Task<List<double>> FastReceiverDelaysAsync(RawRelayClient sender, RawRelayClient fast, int first)
    {
        // Video is newest-wins at the relay (a picture still queued is replaced by the next one), so frames may be
        // skipped but never reordered; the last one always arrives.
        var delays = new List<double>();
        var reader = Task.Run(async () =>
        {
            var previous = first - 1;
            while (previous < first + Frames - 1)
            {
                var body = await fast.ReadUntilAsync(FrameType.MediaForward, _ => true, TimeSpan.FromSeconds(20));
                var payload = FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(body)).Payload.ToArray();
                var index = BitConverter.ToInt32(payload, 0);
                Assert.True(index > previous, $"frame {index} after {previous}");
                previous = index;
                delays.Add(System.Diagnostics.Stopwatch.GetElapsedTime(BitConverter.ToInt64(payload, 4)).TotalMilliseconds);
            }
        });
        var frame = new byte[800];
        for (var i = 0; i < Frames; i++)
        {
            BitConverter.TryWriteBytes(frame, first + i);
            BitConverter.TryWriteBytes(frame.AsSpan(4), System.Diagnostics.Stopwatch.GetTimestamp());
            await sender.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Video, frame));
            await Task.Delay(1);
        }

        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(delays.Count >= Frames / 2, $"{delays.Count} of {Frames} frames reached the fast receiver");
        return delays;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    [Fact(Timeout = 30_000)]
    public async Task Sender_OverByteRate_HasMediaDropped()
    {
        var (sender, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "rate", "sender");
        var (receiver, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "rate", "receiver");
        await using (sender)
        await using (receiver)
        {
            // 4 MB at once against a 1 MB/s limit with a one-second burst: most of it is dropped at the relay.
            var payload = new byte[16 * 1024];
            for (var i = 0; i < 256; i++)
            {
                await sender.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Audio, payload));
            }

            var count = 0;
            try
            {
                while (true)
                {
                    await receiver.ReadUntilAsync(FrameType.MediaForward, _ => true, TimeSpan.FromMilliseconds(500));
                    count++;
                }
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
            }

            Assert.InRange(count, 1, 128);
            Assert.True(_relay.RateLimited >= 128, $"rate limited {_relay.RateLimited}");
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Signals_ReachTheirTargetOrEveryoneElse_Unread_AndAnEmptyOneClosesOnlyItsSender()
    {
        var (a, aId) = await RawRelayClient.JoinAsync(Endpoint, Pin, "sig", "a");
        var (b, bId) = await RawRelayClient.JoinAsync(Endpoint, Pin, "sig", "b");
        var (c, _) = await RawRelayClient.JoinAsync(Endpoint, Pin, "sig", "c");
        await using (a)
        await using (b)
        await using (c)
        {
            byte[] toB = [2, 0xDE, 0xAD];
            byte[] toAll = [1, 0xBE, 0xEF];
            await a.SendAsync(w => FrameWriter.WriteSignal(w, FrameType.Signal, bId, new ReadOnlySequence<byte>(toB)));
            await a.SendAsync(w => FrameWriter.WriteSignal(w, FrameType.Signal, 0, new ReadOnlySequence<byte>(toAll)));
            await a.SendAsync(w => FrameWriter.WriteSignal(w, FrameType.Signal, 999, new ReadOnlySequence<byte>(toB)));
            var first = FrameReader.ReadSignal(new ReadOnlySequence<byte>(await b.ReadUntilAsync(FrameType.SignalForward, _ => true, TimeSpan.FromSeconds(5))));
            Assert.Equal(aId, first.Member);
            Assert.Equal(toB, first.Payload.ToArray());
            var second = FrameReader.ReadSignal(new ReadOnlySequence<byte>(await b.ReadUntilAsync(FrameType.SignalForward, _ => true, TimeSpan.FromSeconds(5))));
            Assert.Equal(aId, second.Member);
            Assert.Equal(toAll, second.Payload.ToArray());

            // c gets only the one for everyone: the next signal it sees after it is b's.
            var atC = FrameReader.ReadSignal(new ReadOnlySequence<byte>(await c.ReadUntilAsync(FrameType.SignalForward, _ => true, TimeSpan.FromSeconds(5))));
            Assert.Equal(toAll, atC.Payload.ToArray());
            await b.SendAsync(w => FrameWriter.WriteSignal(w, FrameType.Signal, 0, new ReadOnlySequence<byte>(toB)));
            atC = FrameReader.ReadSignal(new ReadOnlySequence<byte>(await c.ReadUntilAsync(FrameType.SignalForward, _ => true, TimeSpan.FromSeconds(5))));
            Assert.Equal(bId, atC.Member);

            // A signal with no payload is malformed: its sender is closed with an error, the others carry on.
            await a.SendRawAsync(new byte[] { 0, 0, 0, 5, (byte)FrameType.Signal, 0, 0, 0, 0 });
            var (type, body) = await a.ReadFrameAsync(TimeSpan.FromSeconds(5));
            while (type != FrameType.Error)
            {
                (type, body) = await a.ReadFrameAsync(TimeSpan.FromSeconds(5));
            }

            Assert.Equal(WireError.MalformedFrame, FrameReader.ReadError(new ReadOnlySequence<byte>(body)).Code);
            Assert.True(await a.IsClosedWithinAsync(TimeSpan.FromSeconds(5)));
            await AssertSessionWorksAsync(b, c);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ConcurrentJoins_EachMemberIsWelcomedFirst_AndEndsUpListingEveryOther()
    {
        // Three daemons that say hello at the same moment, many times over. A presence frame that overtook a
        // welcome would be wiped by it (the welcome replaces the member's list), and that member would never
        // see the one who joined just after it: the daemon applies frames exactly as this test does.
        for (var round = 0; round < 200; round++)
        {
            var clients = new RawRelayClient[3];
            for (var i = 0; i < clients.Length; i++)
            {
                clients[i] = await RawRelayClient.ConnectAsync(Endpoint, Pin);
            }

            try
            {
                var session = $"race{round}";
                await Task.WhenAll(clients.Select((c, i) => c.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, session, $"m{i}"))));
                var views = await Task.WhenAll(clients.Select(ViewAfterJoinsAsync));
                var ids = views.Select(v => v.Self).ToArray();
                for (var i = 0; i < views.Length; i++)
                {
                    Assert.Equal(ids.Where(id => id != ids[i]).Order(), views[i].Others.Order());
                }
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
        }

        static async Task<(uint Self, HashSet<uint> Others)> ViewAfterJoinsAsync(RawRelayClient client)
        {
            var (type, body) = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
            Assert.True(type == FrameType.Welcome, $"the first frame after hello is {type}, not the welcome");
            var (_, self, members) = FrameReader.ReadWelcome(new ReadOnlySequence<byte>(body), 1024);
            var others = members.Select(m => m.Id).ToHashSet();
            while (others.Count < 2)
            {
                (type, body) = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
                Assert.Equal(FrameType.Presence, type);
                var (ev, member) = FrameReader.ReadPresence(new ReadOnlySequence<byte>(body));
                Assert.Equal(PresenceEvent.Joined, ev);
                Assert.True(others.Add(member.Id), $"member {member.Id} announced twice to {self}");
            }

            return (self, others);
        }
    }

    private static async Task AssertSessionWorksAsync(RawRelayClient from, RawRelayClient to)
    {
        byte[] marker = [0xCA, 0xFE, 0xBA, 0xBE];
        await from.SendAsync(w => FrameWriter.WriteMedia(w, MediaKind.Audio, marker));
        await to.ReadUntilAsync(
            FrameType.MediaForward,
            body => FrameReader.ReadMediaForward(new ReadOnlySequence<byte>(body)).Payload.ToArray().SequenceEqual(marker),
            TimeSpan.FromSeconds(5));
    }
}
