using S2cd.Conference;
using S2cd.Contract;
using S2cd.Security;
using S2cd.Tests.Support;
using S2cd.Wire;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// End-to-end media encryption between real daemons, with a hostile relay in the middle that tampers with,
/// replays, forges and swaps what it forwards. Each attack is rejected and counted by the daemon it targets,
/// and the call goes on for everyone else.
/// </summary>
public sealed class MediaEncryptionEndToEndTests
{
    [Fact(Timeout = 120_000)]
    public async Task TamperedAndReplayedFrames_AreRejectedAndCounted_AndTheCallGoesOn()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        await call.JoinAsync("alice");
        await call.JoinAsync("bob");
        await call.JoinAsync("carol");
        var alice = await call.IdOfAsync("alice");
        var count = 0;
        call.Middle.ToDaemon = (link, frame) =>
        {
            if (link.Name != "bob" || InterceptingRelay.TypeOf(frame) != FrameType.MediaForward || InterceptingRelay.SenderOf(frame) != alice)
            {
                return [frame];
            }

            switch (++count % 6)
            {
                case 1:
                    var tampered = (byte[])frame.Clone();
                    tampered[^20] ^= 0x40; // a bit of the ciphertext
                    return [tampered];
                case 3:
                    return [frame, frame];
                default:
                    return [frame];
            }
        };

        await call.WithLogsAsync(async () =>
        {
            await call.SeesVideoAsync("bob", "alice");
            await call.SeesVideoAsync("carol", "alice");
            await Eventually.TrueAsync(
                async () => await call.Client("bob").StatusAsync() is { RejectedTampered: > 2, RejectedReplayed: > 2 },
                TimeSpan.FromSeconds(20),
                "bob rejects tampered and replayed frames");
            var carol = await call.Client("carol").StatusAsync();
            Assert.Equal(0, carol.RejectedTampered + carol.RejectedReplayed + carol.RejectedOldKey + carol.RejectedKeyBundles + carol.RefusedMembers);
            Assert.Equal(0, (await call.Client("bob").StatusAsync()).VideoRejected);

            var status = await AttachRunner.RunAsync(call.Daemon("bob").SocketPath, "status");
            Assert.Contains("AES-256-GCM", status.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"Rejected   \d+ tampered, \d+ replayed", status.Stdout);
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task AfterALeave_ANewKeyIsUsed_AndAFrameUnderTheOldKeyIsRejected()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        await call.JoinAsync("alice");
        await call.JoinAsync("bob");
        await call.JoinAsync("carol");
        var alice = await call.IdOfAsync("alice");
        byte[]? lastFromAlice = null;
        call.Middle.ToDaemon = (link, frame) =>
        {
            if (link.Name == "bob" && InterceptingRelay.TypeOf(frame) == FrameType.MediaForward && InterceptingRelay.SenderOf(frame) == alice)
            {
                Volatile.Write(ref lastFromAlice, frame);
            }

            return [frame];
        };

        await call.WithLogsAsync(async () =>
        {
            await call.SeesVideoAsync("bob", "alice");
            await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref lastFromAlice) is not null), TimeSpan.FromSeconds(10), "a frame from alice to bob in the middle");
            var underOldKey = Volatile.Read(ref lastFromAlice)!;
            MediaKey.TryReadHeader(underOldKey.AsSpan(10), out var oldKeyId, out _);

            await call.Client("carol").Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Leave);
            await Eventually.TrueAsync(
                () =>
                {
                    MediaKey.TryReadHeader(Volatile.Read(ref lastFromAlice)!.AsSpan(10), out var keyId, out _);
                    return Task.FromResult(keyId > oldKeyId);
                },
                TimeSpan.FromSeconds(10),
                "alice sends under a new key once carol has left");

            // Past the few seconds old keys live for frames in flight, the relay sends bob an old frame again.
            await Task.Delay(EndToEndSession.OldKeyLifetime + TimeSpan.FromSeconds(1));
            await call.Middle.Find("bob")!.InjectAsync(underOldKey);
            await Eventually.TrueAsync(
                async () => (await call.Client("bob").StatusAsync()).RejectedOldKey >= 1,
                TimeSpan.FromSeconds(10),
                "bob rejects the frame under alice's old key");
            await call.SeesVideoAsync("bob", "alice");
            Assert.Equal(2, (await call.Client("bob").WhoAsync()).Length);
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task AKeyBundleSignedBySomeoneElse_OrReplayed_IsRejected_AndKeysStillFlow()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        await call.JoinAsync("alice");
        await call.JoinAsync("bob");
        var alice = await call.IdOfAsync("alice");
        byte[]? alicesBundle = null;
        call.Middle.ToDaemon = (link, frame) =>
        {
            if (link.Name == "bob" && InterceptingRelay.TypeOf(frame) == FrameType.SignalForward && frame[9] == EndToEndSession.KeyBundleSignal)
            {
                var sender = InterceptingRelay.SenderOf(frame);
                if (sender == alice)
                {
                    alicesBundle ??= frame;
                }
                else
                {
                    // Carol's bundle, passed off as alice's: signed by the wrong identity.
                    return [frame, InterceptingRelay.WithSender(frame, alice)];
                }
            }

            return [frame];
        };

        await call.WithLogsAsync(async () =>
        {
            await call.SeesVideoAsync("bob", "alice");
            await call.JoinAsync("carol");
            await Eventually.TrueAsync(
                async () => (await call.Client("bob").StatusAsync()).RejectedKeyBundles >= 1,
                TimeSpan.FromSeconds(15),
                "bob rejects carol's bundle under alice's name");

            // Alice's first bundle again, after she has moved on to a newer key: replayed, rejected.
            var before = (await call.Client("bob").StatusAsync()).RejectedKeyBundles;
            await call.Middle.Find("bob")!.InjectAsync(alicesBundle!);
            await Eventually.TrueAsync(
                async () => (await call.Client("bob").StatusAsync()).RejectedKeyBundles > before,
                TimeSpan.FromSeconds(10),
                "bob rejects the replayed bundle");

            await call.SeesVideoAsync("bob", "carol");
            await call.SeesVideoAsync("bob", "alice");
            Assert.Contains("Dropped a signal", call.Daemon("bob").Output, StringComparison.Ordinal);
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task ARelayThatSwapsCertificates_IsCaught()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        await call.JoinAsync("alice", "correct horse");
        var alice = await call.IdOfAsync("alice");
        using var mallory = DaemonIdentity.CreateEphemeral();
        call.Middle.ToDaemon = (link, frame) =>
        {
            if (link.Name == "bob" && InterceptingRelay.TypeOf(frame) == FrameType.SignalForward
                && frame[9] == EndToEndSession.AnnouncementSignal && InterceptingRelay.SenderOf(frame) == alice)
            {
                // The relay's own certificate in place of alice's, properly signed by its own key. It cannot make
                // the passphrase proof: it does not know the passphrase.
                return [SecureCall.ForgedAnnouncement(mallory, alice)];
            }

            return [frame];
        };

        await call.WithLogsAsync(async () =>
        {
            await call.JoinAsync("bob", "correct horse");
            await call.JoinAsync("carol", "correct horse");
            await Eventually.TrueAsync(
                async () => (await call.MemberAsync("bob", "alice")).Trust == Trust.Refused,
                TimeSpan.FromSeconds(15),
                "bob refuses the swapped certificate");
            Assert.Equal(1, (await call.Client("bob").StatusAsync()).RefusedMembers);
            Assert.Contains("passphrase", (await call.MemberAsync("bob", "alice")).RefusedReason, StringComparison.Ordinal);

            // Everyone else goes on: carol sees both, bob sees carol.
            await call.SeesVideoAsync("carol", "alice");
            await call.SeesVideoAsync("carol", "bob");
            await call.SeesVideoAsync("bob", "carol");
            Assert.Equal(0, (await call.MemberAsync("bob", "alice")).VideoFps);
            Assert.Equal(0, (await call.Client("carol").StatusAsync()).RefusedMembers);
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task WithoutAPassphrase_ASwappedCertificate_IsTakenButTheCallCodesDiffer()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        await call.JoinAsync("alice");
        await call.JoinAsync("bob");
        var alice = await call.IdOfAsync("alice");
        using var mallory = DaemonIdentity.CreateEphemeral();
        call.Middle.ToDaemon = (link, frame) =>
            link.Name == "carol" && InterceptingRelay.TypeOf(frame) == FrameType.SignalForward && frame[9] == EndToEndSession.AnnouncementSignal
                && InterceptingRelay.SenderOf(frame) == alice
                ? [SecureCall.ForgedAnnouncement(mallory, alice)] // full man in the middle: the relay's own certificate as alice's
                : [frame];

        await call.WithLogsAsync(async () =>
        {
            await call.JoinAsync("carol");
            var aliceStatus = await call.Client("alice").StatusAsync();

            // Nothing can tell without a passphrase: carol takes the forged certificate for alice's. What people compare
            // shows it: carol sees another fingerprint for alice, and her call code differs from alice's and bob's.
            await Eventually.TrueAsync(
                async () => await call.MemberAsync("carol", "alice") is { Trust: not Trust.Refused } seen && seen.Fingerprint == mallory.Fingerprint
                    && (await call.Client("alice").StatusAsync()).CallCode is { } a && (await call.Client("bob").StatusAsync()).CallCode == a
                    && (await call.Client("carol").StatusAsync()).CallCode is { } c && c != a
                    && (await call.MemberAsync("bob", "carol")).Trust == Trust.Verified,
                TimeSpan.FromSeconds(20),
                "carol holds mallory's certificate for alice, and her call code differs from alice's and bob's, which agree");
            Assert.NotEqual(aliceStatus.Fingerprint, mallory.Fingerprint);
            var who = await AttachRunner.RunAsync(call.Daemon("alice").SocketPath, "who");
            Assert.Contains(aliceStatus.Fingerprint!, who.Stdout, StringComparison.Ordinal);
            Assert.Contains("Call code " + (await call.Client("alice").StatusAsync()).CallCode, who.Stdout, StringComparison.Ordinal);
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task AnAnnouncementCopiedUnderAnotherMember_IsRefused()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        await call.JoinAsync("alice");
        await call.JoinAsync("bob");
        var alice = await call.IdOfAsync("alice");
        var bob = await call.IdOfAsync("bob");
        call.Middle.ToDaemon = (link, frame) =>
        {
            if (link.Name != "carol" || InterceptingRelay.TypeOf(frame) != FrameType.SignalForward || frame[9] != EndToEndSession.AnnouncementSignal)
            {
                return [frame];
            }

            // Alice's own announcement never reaches carol; bob's reaches her twice, once relabelled as alice's.
            var sender = InterceptingRelay.SenderOf(frame);
            return sender == alice ? [] : sender == bob ? [InterceptingRelay.WithSender(frame, alice), frame] : [frame];
        };

        await call.WithLogsAsync(async () =>
        {
            await call.JoinAsync("carol");
            await Eventually.TrueAsync(
                async () => (await call.MemberAsync("carol", "alice")) is { Trust: Trust.Refused, RefusedReason: { } reason } && reason.Contains("not signed", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20),
                "carol refuses the copy: its signature does not cover alice's member id");
            Assert.True((await call.Client("carol").StatusAsync()).RefusedMembers >= 1);
            await call.SeesVideoAsync("carol", "bob");
            await call.SeesVideoAsync("bob", "carol");
            Assert.Equal(Trust.Verified, (await call.MemberAsync("carol", "bob")).Trust);
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task AWrongPassphrase_GetsNoKeys_AndTheOthersAreToldWhoWasRefused()
    {
        using var root = new TempDirectory();
        await using var call = await SecureCall.StartAsync(root);
        await call.JoinAsync("alice", "sesame");
        await call.JoinAsync("bob", "sesame");
        await call.JoinAsync("mallory", "open sesame");
        await call.WithLogsAsync(async () =>
        {
            await call.SeesVideoAsync("alice", "bob");
            await call.SeesVideoAsync("bob", "alice");
            foreach (var member in new[] { "alice", "bob" })
            {
                await Eventually.TrueAsync(
                    async () => (await call.MemberAsync(member, "mallory")).Trust == Trust.Refused,
                    TimeSpan.FromSeconds(15),
                    $"{member} refuses mallory");
                var seen = await call.MemberAsync(member, "mallory");
                Assert.Equal((Trust.Refused, "it does not know the session passphrase"), (seen.Trust, seen.RefusedReason));
                Assert.Equal(1, (await call.Client(member).StatusAsync()).RefusedMembers);
            }

            var who = await AttachRunner.RunAsync(call.Daemon("alice").SocketPath, "who");
            Assert.Contains("refused: it does not know the session passphrase", who.Stdout, StringComparison.Ordinal);

            // The view marks her and shows the call code people compare.
            var alice = call.Client("alice");
            var viewId = await alice.Rpc.InvokeAsync<int>(ControlProtocol.Methods.ViewOpen, new ViewRequest { Columns = 160, Rows = 30, Mode = "ascii" });
            var frame = await alice.Rpc.InvokeAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, viewId, 0L, 5000);
            var text = System.Text.RegularExpressions.Regex.Replace(frame.Data, "\u001b\\[[0-9;]*m", string.Empty);
            Assert.Contains("mallory [refused]", text, StringComparison.Ordinal);
            Assert.Contains("call code " + (await alice.StatusAsync()).CallCode, text, StringComparison.Ordinal);

            // Mallory got no keys: nobody's picture reaches her, and she is told why in her own list.
            await Task.Delay(2000);
            foreach (var other in (await call.Client("mallory").WhoAsync()).Where(p => !p.IsSelf))
            {
                Assert.Equal(0, other.VideoFps);
            }

            Assert.All((await call.Client("mallory").WhoAsync()).Where(p => !p.IsSelf), p => Assert.Equal(Trust.Refused, p.Trust));
            Assert.Equal((await call.Client("alice").StatusAsync()).CallCode, (await call.Client("bob").StatusAsync()).CallCode);
        });
    }
}
