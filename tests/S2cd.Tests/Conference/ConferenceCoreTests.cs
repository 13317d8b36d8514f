using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenCvSharp;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Control;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Tests.Support;
using S2cd.Video;
using S2cd.Wire;

namespace S2cd.Tests.Conference;

/// <summary>
/// The conference core on its own: three daemons' cores in one process, joined through the in-memory transport
/// (no sockets, no relay process), on a fake clock. Presence, mute, end-to-end keys, media, rekey on leave.
/// </summary>
public sealed class ConferenceCoreTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time;
    private readonly InMemoryCall _call;

    public ConferenceCoreTests()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _call = new InMemoryCall(_time);
    }

    public void Dispose() => _call.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task ThreeCores_ListEachOther_HoldEachOthersKeys_AndSeeAMute()
    {
        await using var alice = await JoinAsync("alice");
        await using var bob = await JoinAsync("bob");
        await using var carol = await JoinAsync("carol");
        foreach (var core in new[] { alice, bob, carol })
        {
            await UntilAsync(() => core.Link.GetStatus().EndToEnd == new EndToEndStatus(EndToEndState.On, Keys: 2, Verified: 2, Others: 2), $"{core.Name} holds both others' keys");
            Assert.Equal(["alice", "bob", "carol"], core.Link.GetParticipants().Select(p => p.Name).Order());
            Assert.Equal(ConnectionState.Connected, core.Link.GetStatus().Connection);
        }

        // Everyone computes the same call code from the same three certificates.
        Assert.Single(new[] { alice, bob, carol }.Select(c => c.Link.GetStatus().CallCode).Distinct());

        bob.Link.SetMuted(true);
        await UntilAsync(() => alice.Sees("bob").Muted && carol.Sees("bob").Muted, "bob's mute reaches alice and carol");
        bob.Link.SetMuted(false);
        await UntilAsync(() => !alice.Sees("bob").Muted, "and the unmute");
    }

    [Fact(Timeout = 60_000)]
    public async Task Media_RoundTripsSealed_AndALeaveRekeysAfterTheDelay()
    {
        await using var alice = await JoinAsync("alice");
        await using var bob = await JoinAsync("bob");
        var carol = await JoinAsync("carol");
        foreach (var core in new[] { alice, bob, carol })
        {
            await UntilAsync(() => core.Link.GetStatus().EndToEnd == new EndToEndStatus(EndToEndState.On, Keys: 2, Verified: 2, Others: 2), $"{core.Name} has the keys");
        }

        // A picture from alice reaches bob through the transport, sealed on the way (it is no JPEG there).
        var aliceId = bob.Sees("alice").Id;
        uint sequence = 0;
        await UntilAsync(() => SendPicture(alice, ++sequence) && bob.Pictures.Get(aliceId).Picture is not null, "alice's picture at bob");
        var sealedFrame = _call.Relay.Forwarded.Last(f => f.Sender == aliceId).Payload;
        Assert.False(sealedFrame.AsSpan().IndexOf(Jpeg) >= 0, "the transport carried the JPEG in the clear");
        var before = KeyIdOf(sealedFrame);

        // Carol leaves: alice keeps her key for RekeyDelay (others joining or leaving at once share one rekey), then replaces it.
        await carol.DisposeAsync();
        await UntilAsync(() => alice.Link.GetParticipants().Count == 2 && bob.Link.GetParticipants().Count == 2, "carol gone", advance: false);
        SendPicture(alice, ++sequence);
        Assert.Equal(before, KeyIdOf(_call.Relay.Forwarded.Last(f => f.Sender == aliceId).Payload));
        // Once the clock has moved past the delay (the rekey task may still be on its way to its timer: keep moving it).
        var left = _time.GetTimestamp();
        await UntilAsync(() => SendPicture(alice, ++sequence) && KeyIdOf(_call.Relay.Forwarded.Last(f => f.Sender == aliceId).Payload) != before, "alice uses a new key");
        Assert.True(_time.GetElapsedTime(left) >= EndToEndSession.RekeyDelay, "the key changed before the rekey delay");

        // Bob gets the new key (key bundles are rate-limited per sender, so the clock moves again) and reads alice's pictures under it.
        var rekeyed = sequence;
        await UntilAsync(() => SendPicture(alice, ++sequence) && bob.Pictures.Get(aliceId).Picture is { Sequence: var s } && s > rekeyed, "alice's picture at bob under the new key");
    }

    [Fact(Timeout = 60_000)]
    public async Task Leave_TellsTheOthersAtOnce_AndLeavesTheCoreIdle()
    {
        await using var alice = await JoinAsync("alice");
        await using var bob = await JoinAsync("bob");
        await UntilAsync(() => alice.Link.GetParticipants().Count == 2, "alice lists bob");
        await bob.Link.LeaveAsync(CancellationToken.None);
        Assert.Equal(ConnectionState.Idle, bob.Link.GetStatus().Connection);
        Assert.Null(bob.Link.GetStatus().Session);
        Assert.Empty(bob.Link.GetParticipants());
        await UntilAsync(() => alice.Link.GetParticipants().Count == 1, "alice sees bob go", advance: false);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bob.Link.LeaveAsync(CancellationToken.None));
    }

    private static readonly byte[] Jpeg = MakeJpeg();

    private static byte[] MakeJpeg()
    {
        using var mat = new Mat(48, 64, MatType.CV_8UC3, new Scalar(30, 60, 90));
        Cv2.ImEncode(".jpg", mat, out var jpeg);
        return jpeg;
    }

    private static uint KeyIdOf(byte[] sealedFrame) => BinaryPrimitives.ReadUInt32BigEndian(sealedFrame.AsSpan(1, 4));

    internal static bool SendPicture(InMemoryCall.Core core, uint sequence)
    {
        var payload = new byte[VideoFrameHeader.Size + Jpeg.Length];
        new VideoFrameHeader(sequence, 0, 64, 48).Write(payload);
        Jpeg.CopyTo(payload.AsSpan(VideoFrameHeader.Size));
        core.Link.SendMedia(MediaKind.Video, payload);
        return true;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; moves the fake clock on meanwhile unless told not to.</summary>
    private async Task UntilAsync(Func<bool> condition, string what, bool advance = true, Func<string>? describe = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > Within)
            {
                throw new Xunit.Sdk.XunitException($"{what}: not true within {Within.TotalSeconds:0} s {describe?.Invoke()}");
            }

            if (advance)
            {
                _time.Advance(TimeSpan.FromMilliseconds(50));
            }

            await Task.Delay(5);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task AVolume_HoldsWhenTheMemberLeavesAndComesBack_AndResetsInAnotherSession()
    {
        var alice = await JoinAsync("alice");
        await using var bob = await JoinAsync("bob");
        try
        {
            await UntilAsync(() => bob.Link.GetParticipants().Any(p => p.Name == "alice"), "bob lists alice");
            bob.Link.SetVolume("alice", 50);
            var first = bob.Sees("alice");
            Assert.Equal(50, first.Volume);

            // Alice leaves and comes back (a new member id, the same name): bob still plays her at 50%, in what his
            // mixer asks as much as in what `who` shows.
            await alice.DisposeAsync();
            await UntilAsync(() => bob.Link.GetParticipants().All(p => p.Name != "alice"), "alice gone", advance: false);
            alice = await JoinAsync("alice");
            await UntilAsync(() => bob.Link.GetParticipants().Any(p => p.Name == "alice"), "alice back");
            var again = bob.Sees("alice");
            Assert.NotEqual(first.Id, again.Id);
            Assert.Equal(50, again.Volume);
            Assert.Equal(50, bob.Media.Volumes.Of(again.Id));

            // Both move to another session: there she plays as she sounds.
            await bob.Link.JoinAsync(new JoinRequest { Session = "other", Relay = "memory:1" }, TestContext.Current.CancellationToken);
            await alice.Link.JoinAsync(new JoinRequest { Session = "other", Relay = "memory:1" }, TestContext.Current.CancellationToken);
            await UntilAsync(() => bob.Link.GetStatus().Session == "other" && bob.Link.GetParticipants().Any(p => p.Name == "alice"), "alice and bob in session other");
            var elsewhere = bob.Sees("alice");
            Assert.Equal(100, elsewhere.Volume);
            Assert.Equal(100, bob.Media.Volumes.Of(elsewhere.Id));
        }
        finally
        {
            await alice.DisposeAsync();
        }
    }

    private Task<InMemoryCall.Core> JoinAsync(string name) => _call.JoinAsync(name);
}
