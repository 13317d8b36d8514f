using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using S2cd.Security;
using S2cd.Transport;

namespace S2cd.Conference;

/// <summary>What we know of each other member: its certificate once verified, and the keys it gave us.</summary>
internal sealed partial class EndToEndSession
{
    private enum PeerState
    {
        Waiting,
        Verified,
        Refused,
    }

    private sealed class ReceiveKey(MediaKey key) : IDisposable
    {
        public MediaKey Key { get; } = key;

        public ReplayWindow Window { get; } = new();

        /// <summary>When this key stops opening frames (a timestamp), or 0 while it is the sender's newest.</summary>
        public long RetireAt { get; set; }

        public void Dispose() => Key.Dispose();
    }

    private sealed class Peer(uint id, TimeProvider time) : IDisposable
    {
        public uint Id { get; } = id;

        /// <summary>Bundles of this member's we may unwrap (RSA work): <see cref="BundlesPerSecond"/>, in bursts as large.</summary>
        public TokenBucket Bundles { get; } = new(BundlesPerSecond, BundlesPerSecond, time);

        public PeerState State { get; set; }

        public string? Reason { get; set; }

        public X509Certificate2? Certificate { get; private set; }

        public string? Fingerprint { get; private set; }

        public byte[]? CertificateHash { get; private set; }

        /// <summary>Keys by key id; touched on the receive loop only.</summary>
        public Dictionary<uint, ReceiveKey> Keys { get; } = [];

        public uint NewestKeyId { get; private set; }

        public void Verify(X509Certificate2 certificate)
        {
            Certificate = certificate;
            Fingerprint = Security.Fingerprint.Of(certificate);
            CertificateHash = SHA256.HashData(certificate.RawData);
            State = PeerState.Verified;
        }

        /// <summary>Makes <paramref name="keyId"/> the newest key; the one it replaces opens frames until <paramref name="retireOlderAt"/>.</summary>
        public void Install(uint keyId, byte[] secret, long retireOlderAt)
        {
            foreach (var older in Keys.Values)
            {
                if (older.RetireAt == 0)
                {
                    older.RetireAt = retireOlderAt;
                }
            }

            Keys[keyId] = new ReceiveKey(new MediaKey(keyId, secret));
            NewestKeyId = keyId;
        }

        /// <summary>Forgets keys whose time for frames in flight is over.</summary>
        public void Retire(long now)
        {
            if (Keys.Count < 2)
            {
                return;
            }

            List<uint>? gone = null;
            foreach (var (id, key) in Keys)
            {
                if (key.RetireAt != 0 && now >= key.RetireAt)
                {
                    (gone ??= []).Add(id);
                }
            }

            if (gone is null)
            {
                return;
            }

            foreach (var id in gone)
            {
                Keys.Remove(id, out var key);
                key!.Dispose();
            }
        }

        public void Dispose()
        {
            foreach (var key in Keys.Values)
            {
                key.Dispose();
            }

            Keys.Clear();
        }
    }
}
