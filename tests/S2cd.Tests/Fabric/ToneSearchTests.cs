using System.Security.Cryptography;
using S2cd.Audio;
using S2cd.Relay.Fabric;
using S2cd.Tests.Support;

namespace S2cd.Tests.Fabric;

/// <summary>
/// The tone search the fabric test runs on what the NATS cluster carried: it finds a 440 Hz tone in Opus packets
/// behind a header of any length up to 64 bytes among other messages, and finds none once they are sealed.
/// </summary>
public sealed class ToneSearchTests
{
    [Fact]
    public void ATone_InTheClearBehindAHeader_IsFound_SealedItIsNot()
    {
        // Headers and other messages of fixed random bytes: the search's figure is the same on every run (drawn
        // anew each time, the tone's share once came out under the bound).
        var random = new Random(440);
        var clear = new List<byte[]>();
        using var encoder = new OpusEncoder(48_000, 24_000, 5);
        var samples = new short[960];
        var packet = new byte[1275];
        for (var frame = 0; frame < 100; frame++)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * ((frame * 960) + i) / 48_000));
            }

            var length = encoder.Encode(samples, packet);
            clear.Add([.. Bytes(random, 23), .. packet.AsSpan(0, length)]);
            if (frame % 3 == 0)
            {
                clear.Add(Bytes(random, 300));
            }
        }

        Assert.True(ToneSearch.StrongestShare(clear, 440) > 0.2, "the tone in the clear is found");
        Assert.True(ToneSearch.StrongestShare(clear, 440, maxOffset: 20) < 0.05, "not before its offset");

        using var seal = new FabricSeal(RandomNumberGenerator.GetBytes(32), "s");
        var sealed_ = clear.Select(m => seal.Seal(m)).ToList();
        Assert.True(ToneSearch.StrongestShare(sealed_, 440) < 0.05, "no tone in the sealed messages");
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
