using S2cd.Contract;
using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using S2cd.Conference;
using S2cd.Security;
using S2cd.Tests.Support;
using S2cd.Wire;

namespace S2cd.Tests.Security;

/// <summary>
/// Several <see cref="EndToEndSession"/>s wired to each other in memory, as the relay would carry their
/// signals: who can read what as members come and go.
/// </summary>
public sealed class EndToEndSessionTests : IClassFixture<KeyBundleTests.Identities>
{
    private readonly KeyBundleTests.Identities _ids;

    public EndToEndSessionTests(KeyBundleTests.Identities ids) => _ids = ids;

    [Fact(Timeout = 60_000)]
    public async Task ANewcomerCannotReadWhatCameBefore_AndALeaverCannotReadWhatFollows()
    {
        var time = new ManualTimeProvider();
        await using var hub = new Hub(time);
        var alice = hub.Join(1, _ids.Alice);
        var bob = hub.Join(2, _ids.Bob);
        await hub.SettledAsync();
        var beforeCarol = Seal(alice, "before carol");
        Assert.Equal("before carol", Open(bob, 1, beforeCarol));

        var carol = hub.Join(3, _ids.Carol);
        await hub.SettledAsync();
        Assert.Equal(EndToEndSession.OpenResult.OldKey, TryOpen(carol, 1, beforeCarol));
        var withCarol = Seal(alice, "with carol");
        var alsoWithCarol = Seal(alice, "also with carol");
        Assert.Equal("with carol", Open(carol, 1, withCarol));

        var keyBefore = alice.SendKeyId;
        hub.Leave(3);
        await Eventually.TrueAsync(() => Task.FromResult(alice.SendKeyId > keyBefore), TimeSpan.FromSeconds(10), "alice rekeys after carol left");
        var afterCarol = Seal(alice, "after carol");
        Assert.Equal(EndToEndSession.OpenResult.AwaitingKey, TryOpen(carol, 1, afterCarol));
        Assert.Equal("after carol", Open(bob, 1, afterCarol));

        // Frames under alice's previous key still open for a moment (in flight), then never again.
        Assert.Equal("with carol", Open(bob, 1, withCarol));
        time.Advance(EndToEndSession.OldKeyLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(EndToEndSession.OpenResult.OldKey, TryOpen(bob, 1, alsoWithCarol));
        Assert.Equal(1, bob.Counters.OldKey);
        Assert.Equal(alice.CallCode(), bob.CallCode());
        Assert.NotEqual(alice.CallCode(), carol.CallCode());
    }

    [Fact(Timeout = 60_000)]
    public async Task GarbageSignals_AreCountedAndChangeNothing()
    {
        await using var hub = new Hub(TimeProvider.System);
        var alice = hub.Join(1, _ids.Alice);
        var bob = hub.Join(2, _ids.Bob);
        await hub.SettledAsync();
        var keys = bob.Coverage();

        bob.OnSignal(1, new ReadOnlySequence<byte>([EndToEndSession.KeyBundleSignal, .. RandomNumberGenerator.GetBytes(300)]));
        bob.OnSignal(1, new ReadOnlySequence<byte>([99, 1, 2, 3]));
        bob.OnSignal(77, new ReadOnlySequence<byte>([EndToEndSession.AnnouncementSignal, 0, 0]));
        bob.OnSignal(1, new ReadOnlySequence<byte>([EndToEndSession.AnnouncementSignal, .. Announcement.Create(_ids.Carol, "s", 1, null)]));
        bob.OnSignal(1, new ReadOnlySequence<byte>(new byte[70_000]));
        Assert.Equal(5, bob.Counters.BadKeyBundles);
        Assert.Equal(keys, bob.Coverage());
        Assert.Equal((Trust.Verified, _ids.Alice.Fingerprint), (bob.Describe(1).Trust, bob.Describe(1).Fingerprint));
        Assert.Equal("hello", Open(bob, 1, Seal(alice, "hello")));

        Span<byte> plaintext = stackalloc byte[64];
        Assert.Equal(EndToEndSession.OpenResult.Tampered, bob.Open(1, MediaKind.Audio, new byte[5], plaintext, out _));
        Assert.Equal(EndToEndSession.OpenResult.NotVerified, bob.Open(9, MediaKind.Audio, new byte[50], plaintext, out _));
    }

    [Fact(Timeout = 60_000)]
    public async Task AMemberFloodingValidBundles_IsHeldBack_AfterABurst()
    {
        var time = new ManualTimeProvider();
        await using var hub = new Hub(time);
        var alice = hub.Join(1, _ids.Alice);
        var bob = hub.Join(2, _ids.Bob);
        await hub.SettledAsync();
        var before = bob.Counters.BadKeyBundles;

        // Alice (or someone with her key) sends twenty fresh, validly signed bundles at once.
        for (var i = 0; i < 20; i++)
        {
            var bundle = KeyBundle.Create(_ids.Alice, "s", 1, (uint)(1000 + i), new byte[32], [new(2, _ids.Bob.Certificate)]);
            bob.OnSignal(1, new ReadOnlySequence<byte>([EndToEndSession.KeyBundleSignal, .. bundle]));
        }

        var held = bob.Counters.BadKeyBundles - before;
        Assert.InRange(held, 20 - (int)EndToEndSession.BundlesPerSecond, 20 - 1);
        time.Advance(TimeSpan.FromSeconds(1));
        var next = KeyBundle.Create(_ids.Alice, "s", 1, 2000, new byte[32], [new(2, _ids.Bob.Certificate)]);
        bob.OnSignal(1, new ReadOnlySequence<byte>([EndToEndSession.KeyBundleSignal, .. next]));
        Assert.Equal(2000u, bob.NewestKeyIdFrom(1));
        Assert.Equal(held, bob.Counters.BadKeyBundles - before);
        _ = alice;
    }

    private static byte[] Seal(EndToEndSession session, string text)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(text);
        var frame = new byte[EndToEndSession.SealedLength(plaintext.Length)];
        session.Seal(MediaKind.Video, plaintext, frame);
        return frame;
    }

    private static EndToEndSession.OpenResult TryOpen(EndToEndSession session, uint sender, byte[] frame) =>
        session.Open(sender, MediaKind.Video, frame, new byte[frame.Length], out _);

    private static string Open(EndToEndSession session, uint sender, byte[] frame)
    {
        var plaintext = new byte[frame.Length];
        var result = session.Open(sender, MediaKind.Video, frame, plaintext, out var length);
        Assert.Equal(EndToEndSession.OpenResult.Opened, result);
        return System.Text.Encoding.UTF8.GetString(plaintext, 0, length);
    }

    /// <summary>The relay's part: members of one session, whose signals reach each other one at a time.</summary>
    private sealed class Hub(TimeProvider time) : IAsyncDisposable
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<uint, EndToEndSession> _members = [];
        private readonly List<EndToEndSession> _all = [];

        public EndToEndSession Join(uint id, DaemonIdentity identity)
        {
            lock (_lock)
            {
                var session = new EndToEndSession(identity, "s", id, null, (target, payload) => Send(id, target, payload), _ => { }, time, NullLogger.Instance);
                foreach (var (other, member) in _members)
                {
                    session.MemberPresent(other, newlyJoined: false);
                }

                _members[id] = session;
                _all.Add(session);
                foreach (var (other, member) in _members)
                {
                    if (other != id)
                    {
                        member.MemberPresent(id, newlyJoined: true);
                    }
                }

                session.AnnounceToAll();
                return session;
            }
        }

        public void Leave(uint id)
        {
            lock (_lock)
            {
                _members.Remove(id);
                foreach (var member in _members.Values)
                {
                    member.MemberLeft(id);
                }
            }
        }

        /// <summary>Waits until every member holds the newest key of every other, and no rekey is on its way.</summary>
        public async Task SettledAsync()
        {
            var stableSince = DateTime.UtcNow;
            await Eventually.TrueAsync(
                () =>
                {
                    bool now;
                    lock (_lock)
                    {
                        now = _members.All(m => _members.Where(o => o.Key != m.Key).All(o => m.Value.NewestKeyIdFrom(o.Key) == o.Value.SendKeyId && o.Value.SendKeyId > 1));
                    }

                    if (!now)
                    {
                        stableSince = DateTime.UtcNow;
                    }

                    return Task.FromResult(now && DateTime.UtcNow - stableSince > 3 * EndToEndSession.RekeyDelay);
                },
                TimeSpan.FromSeconds(10),
                "everyone has everyone's newest key");
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var session in _all)
            {
                await session.DisposeAsync();
            }
        }

        private void Send(uint from, uint target, byte[] payload)
        {
            lock (_lock)
            {
                foreach (var (id, member) in _members)
                {
                    if (id != from && (target == 0 || target == id))
                    {
                        member.OnSignal(from, new ReadOnlySequence<byte>(payload));
                    }
                }
            }
        }
    }
}
