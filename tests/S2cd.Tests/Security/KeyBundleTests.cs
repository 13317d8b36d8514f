using System.Security.Cryptography;
using S2cd.Security;

namespace S2cd.Tests.Security;

/// <summary>CMS key bundles and certificate announcements, with real RSA identities.</summary>
public sealed class KeyBundleTests : IClassFixture<KeyBundleTests.Identities>
{
    private readonly Identities _ids;

    public KeyBundleTests(Identities ids) => _ids = ids;

    [Fact]
    public void ABundle_OpensForEachMemberItNames_AndNotForOthers()
    {
        var secret = RandomNumberGenerator.GetBytes(MediaKey.SecretBytes);
        var bundle = KeyBundle.Create(_ids.Alice, "s", 1, 5, secret, [new(2, _ids.Bob.Certificate), new(3, _ids.Carol.Certificate)]);

        Assert.Equal(KeyBundle.Outcome.Accepted, Open(bundle, _ids.Bob, 2, out var keyId, out var got));
        Assert.Equal(5u, keyId);
        Assert.Equal(secret, got);
        Assert.Equal(KeyBundle.Outcome.Accepted, Open(bundle, _ids.Carol, 3, out _, out got));
        Assert.Equal(secret, got);

        // Dave is not named (he joined later, or left before): a newcomer cannot read, a leaver cannot read.
        Assert.Equal(KeyBundle.Outcome.NotForUs, Open(bundle, _ids.Dave, 4, out _, out got));
        Assert.Null(got);

        // Carol's identity under bob's member id is not what the bundle names.
        Assert.Equal(KeyBundle.Outcome.NotForUs, Open(bundle, _ids.Carol, 2, out _, out _));
    }

    [Fact]
    public void ABundleSignedBySomeoneElse_IsRejected()
    {
        var bundle = KeyBundle.Create(_ids.Carol, "s", 1, 5, new byte[32], [new(2, _ids.Bob.Certificate)]);
        var outcome = KeyBundle.Open(bundle, "s", 1, _ids.Alice.Certificate, 0, _ids.Bob, 2, out _, out var secret, out var problem);
        Assert.Equal(KeyBundle.Outcome.Rejected, outcome);
        Assert.Null(secret);
        Assert.Contains("not signed by its sender", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ABundleForAnotherSessionOrSender_OrNotNewer_IsRejected()
    {
        var bundle = KeyBundle.Create(_ids.Alice, "s", 1, 5, new byte[32], [new(2, _ids.Bob.Certificate)]);
        Assert.Equal(KeyBundle.Outcome.Rejected, KeyBundle.Open(bundle, "t", 1, _ids.Alice.Certificate, 0, _ids.Bob, 2, out _, out _, out _));
        Assert.Equal(KeyBundle.Outcome.Rejected, KeyBundle.Open(bundle, "s", 9, _ids.Alice.Certificate, 0, _ids.Bob, 2, out _, out _, out _));
        Assert.Equal(KeyBundle.Outcome.Rejected, KeyBundle.Open(bundle, "s", 1, _ids.Alice.Certificate, 5, _ids.Bob, 2, out _, out _, out var problem));
        Assert.Contains("replayed", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageAndChangedBundles_AreRejected()
    {
        var bundle = KeyBundle.Create(_ids.Alice, "s", 1, 5, new byte[32], [new(2, _ids.Bob.Certificate)]);
        for (var at = 0; at < bundle.Length; at += 7)
        {
            var changed = (byte[])bundle.Clone();
            changed[at] ^= 0x10;
            var outcome = KeyBundle.Open(changed, "s", 1, _ids.Alice.Certificate, 0, _ids.Bob, 2, out _, out var secret, out _);
            Assert.True(outcome == KeyBundle.Outcome.Rejected || secret is not null && secret.AsSpan().SequenceEqual(new byte[32]), $"byte {at} changed: {outcome}");
        }

        Assert.Equal(KeyBundle.Outcome.Rejected, KeyBundle.Open([], "s", 1, _ids.Alice.Certificate, 0, _ids.Bob, 2, out _, out _, out _));
        Assert.Equal(KeyBundle.Outcome.Rejected, KeyBundle.Open(RandomNumberGenerator.GetBytes(500), "s", 1, _ids.Alice.Certificate, 0, _ids.Bob, 2, out _, out _, out _));
    }

    [Fact]
    public void AnAnnouncement_IsCheckedAgainstItsOwnCertificate_MemberIdAndPassphrase()
    {
        var key = Announcement.DerivePassphraseKey("sesame", "s");
        var announcement = Announcement.Create(_ids.Alice, "s", 1, key);
        using (var certificate = Announcement.Verify(announcement, "s", 1, key, out var refusal))
        {
            Assert.Null(refusal);
            Assert.Equal(_ids.Alice.Fingerprint, Fingerprint.Of(certificate!));
        }

        Assert.Null(Announcement.Verify(announcement, "s", 2, key, out var other));
        Assert.Contains("not signed by the certificate", other, StringComparison.Ordinal);
        Assert.Null(Announcement.Verify(announcement, "t", 1, key, out _));
        Assert.Null(Announcement.Verify(announcement, "s", 1, Announcement.DerivePassphraseKey("open sesame", "s"), out var wrong));
        Assert.Equal("it does not know the session passphrase", wrong);
        Assert.Null(Announcement.Verify(announcement, "s", 1, null, out var none));
        Assert.Contains("you joined without one", none, StringComparison.Ordinal);
        Assert.Null(Announcement.Verify(Announcement.Create(_ids.Alice, "s", 1, null), "s", 1, key, out var missing));
        Assert.Equal("it joined without the session passphrase", missing);

        // Bob's certificate put in alice's announcement: her signature does not match it.
        var bobs = _ids.Bob.Certificate.RawData;
        var rest = announcement.AsSpan(2 + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(announcement));
        byte[] swapped = [(byte)(bobs.Length >> 8), (byte)bobs.Length, .. bobs, .. rest];
        Assert.Null(Announcement.Verify(swapped, "s", 1, key, out var swap));
        Assert.Contains("swapped", swap, StringComparison.Ordinal);

        foreach (var length in new[] { 0, 1, 3, 100, announcement.Length - 1 })
        {
            Assert.Null(Announcement.Verify(announcement.AsSpan(0, length), "s", 1, key, out var cut));
            Assert.NotNull(cut);
        }
    }

    [Fact]
    public void TheIdentity_IsMadeOnce_Kept0600_AndReused()
    {
        using var root = new Support.TempDirectory();
        var state = Path.Combine(root.Path, "state");
        string fingerprint;
        using (var made = DaemonIdentity.LoadOrCreate(state, out var created))
        {
            Assert.True(created);
            fingerprint = made.Fingerprint;
            Assert.Equal(DaemonIdentity.KeyBits, made.Key.KeySize);
        }

        var file = Path.Combine(state, DaemonIdentity.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var again = DaemonIdentity.LoadOrCreate(state, out var createdAgain);
        Assert.False(createdAgain);
        Assert.Equal(fingerprint, again.Fingerprint);
    }

    private KeyBundle.Outcome Open(byte[] bundle, DaemonIdentity self, uint selfId, out uint keyId, out byte[]? secret) =>
        KeyBundle.Open(bundle, "s", 1, _ids.Alice.Certificate, 0, self, selfId, out keyId, out secret, out _);

    /// <summary>RSA-3072 identities take a moment to make: one set for the class.</summary>
    public sealed class Identities : IDisposable
    {
        internal DaemonIdentity Alice { get; } = DaemonIdentity.CreateEphemeral();

        internal DaemonIdentity Bob { get; } = DaemonIdentity.CreateEphemeral();

        internal DaemonIdentity Carol { get; } = DaemonIdentity.CreateEphemeral();

        internal DaemonIdentity Dave { get; } = DaemonIdentity.CreateEphemeral();

        public void Dispose()
        {
            Alice.Dispose();
            Bob.Dispose();
            Carol.Dispose();
            Dave.Dispose();
        }
    }
}
