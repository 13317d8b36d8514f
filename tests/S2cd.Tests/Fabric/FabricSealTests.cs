using System.Collections.Concurrent;
using System.Text;
using S2cd.Relay.Fabric;

namespace S2cd.Tests.Fabric;

public sealed class FabricSealTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    [Fact]
    public void TheSubject_IsAKeyedHash_NotTheName_AndTheSameOnEveryRelayOfTheFabric()
    {
        using var one = new FabricSeal(Key, "standup");
        using var other = new FabricSeal(Key, "standup");
        using var elsewhere = new FabricSeal([.. Key.Select(b => (byte)(b ^ 1))], "standup");
        Assert.Equal(one.Subject, other.Subject);
        Assert.DoesNotContain("standup", one.Subject, StringComparison.Ordinal);
        Assert.NotEqual(one.Subject, elsewhere.Subject);
        Assert.Null(elsewhere.Open(one.Seal("hello"u8)));
        var sealed_ = one.Seal("hello"u8);
        sealed_[^1] ^= 1;
        Assert.Null(other.Open(sealed_));
    }

    [Fact]
    public async Task SealedFromManyThreadsWhileOneOpens_EveryMessageOpens()
    {
        // Media is sealed from every member's read loop at once while the subscription opens what arrives; one
        // shared AES-GCM context garbles some of both (and leaves OpenSSL errors for the thread's next TLS call).
        using var seal = new FabricSeal(Key, "busy");
        var queue = new BlockingCollection<byte[]>();
        var failures = 0;
        var opener = Task.Run(() =>
        {
            foreach (var message in queue.GetConsumingEnumerable())
            {
                if (seal.Open(message) is not { } plain || !Encoding.ASCII.GetString(plain).StartsWith("frame ", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }, TestContext.Current.CancellationToken);
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 40_000; i++)
            {
                queue.Add(seal.Seal(Encoding.ASCII.GetBytes($"frame {worker} {i} " + new string('x', 4000))));
            }
        });
        queue.CompleteAdding();
        await opener;
        Assert.Equal(0, failures);
    }
}
