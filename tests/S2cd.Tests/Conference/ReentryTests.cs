using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using S2cd.Conference;
using S2cd.Contract;

namespace S2cd.Tests.Conference;

/// <summary>
/// Nothing calls out of the core while it holds its lock: a video sink that, from inside every call the core makes
/// to it, asks the core for its status, members and mute from another thread (as the view host and the control
/// socket do) gets its answers. Were a sink called under the core's lock, the other thread would wait for it and the
/// sink's call would time out.
/// </summary>
public sealed class ReentryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly InMemoryCall _call;

    public ReentryTests() => _call = new InMemoryCall(_time);

    public void Dispose() => _call.Dispose();

    [Fact(Timeout = 60_000)]
    public async Task ASinkThatAsksTheCoreFromAnotherThread_IsAnswered_OnJoinPresenceMuteAndLeave()
    {
        ReenteringSink? aliceSink = null;
        await using var alice = await _call.JoinAsync("alice", inner => aliceSink = new ReenteringSink(inner));
        aliceSink!.Core = alice.Link;
        await using (var bob = await _call.JoinAsync("bob"))
        {
            await UntilAsync(() => alice.Link.GetParticipants().Count == 2, "alice lists bob");
            bob.Link.SetMuted(true);
            await UntilAsync(() => alice.Link.GetParticipants().Any(p => p.Name == "bob" && p.Muted), "alice sees bob muted");
            alice.Link.SetMuted(true);
            alice.Link.SetCamera(false);
            alice.Link.Devices.SetCamera(DeviceStatus.Unavailable("a camera that re-enters", TimeSpan.FromSeconds(1)));
        }

        // Bob left: alice's core removes his pictures (a call into the sink) and publishes his leave (another).
        await UntilAsync(() => aliceSink.Removes > 0, "bob's pictures removed from alice's sink");
        await alice.Link.LeaveAsync(CancellationToken.None);
        Assert.True(aliceSink.Clears > 0, "leaving clears the sink");
        Assert.True(aliceSink.Calls > 5, $"only {aliceSink.Calls} calls reached the sink");
        Assert.True(aliceSink.Failures.IsEmpty, "the core held its lock while calling its sink: " + string.Join("; ", aliceSink.Failures));
    }

    private async Task UntilAsync(Func<bool> condition, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"{what}: not within 20 s");
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(5);
        }
    }

    /// <summary>A video sink that, in each call from the core, asks the core three things from another thread and waits for the answers.</summary>
    private sealed class ReenteringSink(IVideoSink inner) : IVideoSink
    {
        private int _calls;
        private int _removes;
        private int _clears;

        public ConferenceLink? Core { get; set; }

        public System.Collections.Concurrent.ConcurrentQueue<string> Failures { get; } = new();

        public int Calls => Volatile.Read(ref _calls);

        public int Removes => Volatile.Read(ref _removes);

        public int Clears => Volatile.Read(ref _clears);

        public string? Problem => inner.Problem;

        public long Rejected => inner.Rejected;

        public double SelfFps => inner.SelfFps;

        public long TotalLost => inner.TotalLost;

        public void OnVideo(uint sender, ReadOnlySequence<byte> payload) => inner.OnVideo(sender, payload);

        public (double Fps, double? DelayMs, long Lost) Figures(uint member) => inner.Figures(member);

        public void Remove(uint member)
        {
            Interlocked.Increment(ref _removes);
            AskTheCore(nameof(Remove));
            inner.Remove(member);
        }

        public void Clear()
        {
            Interlocked.Increment(ref _clears);
            AskTheCore(nameof(Clear));
            inner.Clear();
        }

        public void Touch()
        {
            AskTheCore(nameof(Touch));
            inner.Touch();
        }

        private void AskTheCore(string from)
        {
            if (Core is not { } core)
            {
                return;
            }

            Interlocked.Increment(ref _calls);
            var asked = Task.Run(() =>
            {
                _ = core.GetStatus();
                _ = core.GetParticipants();
                _ = core.SendsAudio;
            });
            if (!asked.Wait(TimeSpan.FromSeconds(5)))
            {
                Failures.Enqueue($"{from}: the core did not answer another thread within 5 s");
            }
        }
    }
}
