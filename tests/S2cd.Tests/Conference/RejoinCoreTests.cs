using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Conference;

/// <summary>
/// The remembered call in the core, on a fake clock: stamped while in the call, kept by a stop, rejoined by a start
/// within Conference:RejoinWindow and dropped after it, with mute and camera as they were.
/// </summary>
public sealed class RejoinCoreTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly InMemoryCall _call;

    public RejoinCoreTests() => _call = new InMemoryCall(_time);

    public void Dispose() => _call.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task WhileInTheCall_TheMemoryIsStamped()
    {
        await using var bob = await _call.JoinAsync("bob");
        var first = Remembered(bob);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), first.InCallUnixMs);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), Remembered(bob).InCallUnixMs);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(119, true)]
    [InlineData(121, false)]
    public async Task AStop_KeepsTheMemory_AndAStartRejoinsOnlyWithinTheWindow(int secondsLater, bool rejoins)
    {
        await using var alice = await _call.JoinAsync("alice");
        var bob = await _call.JoinAsync("bob");
        bob.Link.SetMuted(true);
        bob.Link.SetCamera(false);
        await bob.DisposeAsync();

        // The departure reaches alice through the relay: awaited, not read at once (CI found it still on its way).
        await Eventually.TrueAsync(() => Task.FromResult(!alice.Link.GetParticipants().Any(p => p.Name == "bob")), TimeSpan.FromSeconds(5), "bob gone at alice");

        _time.Advance(TimeSpan.FromSeconds(secondsLater));
        await using var again = _call.Start("bob");
        await again.Link.RejoinAsync(CancellationToken.None);
        var status = again.Link.GetStatus();
        if (rejoins)
        {
            Assert.Equal("core", status.Session);
            Assert.True(status.Muted);
            Assert.False(status.CameraOn);
            Assert.Equal(secondsLater, status.RejoinedAfterSeconds);
            await Eventually.TrueAsync(
                () => Task.FromResult(alice.Link.GetParticipants().Any(p => p.Name == "bob" && p.Muted && !p.CameraOn)),
                TimeSpan.FromSeconds(20),
                "alice sees bob back, muted, camera off");
        }
        else
        {
            Assert.Null(status.Session);
            Assert.False(File.Exists(MemoryPath(again)));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ALeave_ForgetsTheCall()
    {
        var bob = await _call.JoinAsync("bob");
        await bob.Link.LeaveAsync(CancellationToken.None);
        Assert.False(File.Exists(MemoryPath(bob)));
        await bob.DisposeAsync();
        await using var again = _call.Start("bob");
        await again.Link.RejoinAsync(CancellationToken.None);
        Assert.Null(again.Link.GetStatus().Session);
    }

    private static string MemoryPath(InMemoryCall.Core core) => Path.Combine(core.StateDirectory, SessionMemory.FileName);

    private static RememberedCall Remembered(InMemoryCall.Core core) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(MemoryPath(core)), MemoryJson.Default.RememberedCall)!;
}
