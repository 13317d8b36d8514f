using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using S2cd.Conference;
using S2cd.Tests.Support;
using S2cd.Transport;

namespace S2cd.Tests.Conference;

/// <summary>The call memory on its own, against a target that records what it is asked (no core, no transport).</summary>
public sealed class CallMemoryTests : IDisposable
{
    private static readonly RememberedCall Standup = new() { Session = "standup", Relay = "127.0.0.1:1122", Name = "ann", Muted = true };
    private readonly TempDirectory _root = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _root.Dispose();

    private CallMemory Make(Target target, TimeSpan? window = null) =>
        new(new ConferenceOptions { RejoinWindow = window ?? TimeSpan.FromMinutes(2), ReconnectMaxSeconds = 1 }, _root.Path, target, _time, NullLogger.Instance);

    [Fact]
    public async Task ARememberedCall_IsJoinedAgain_WithItsState()
    {
        var target = new Target { Call = Standup };
        await using (var before = Make(target))
        {
            before.Remember();
        }

        target.Call = null;
        _time.Advance(TimeSpan.FromSeconds(30));
        await using var after = Make(target);
        await after.RejoinAsync(TestContext.Current.CancellationToken);
        var (call, key) = Assert.Single(target.Rejoins);
        Assert.Equal(("standup", "127.0.0.1:1122", "ann", true), (call.Session, call.Relay, call.Name, call.Muted));
        Assert.Null(key);
        Assert.Equal(30, target.RejoinedAfter);
    }

    [Fact]
    public async Task ACallOnAListOfRelays_IsRememberedWithTheList()
    {
        var target = new Target { Call = Standup with { Relay = "127.0.0.1:1122,[::1]:1123" } };
        await using (var before = Make(target))
        {
            before.Remember();
        }

        target.Call = null;
        await using var after = Make(target);
        await after.RejoinAsync(TestContext.Current.CancellationToken);
        Assert.Equal("127.0.0.1:1122,[::1]:1123", Assert.Single(target.Rejoins).Call.Relay);
    }

    [Fact]
    public async Task ACallOlderThanTheWindow_IsForgotten_NotJoined()
    {
        var target = new Target { Call = Standup };
        await using (var before = Make(target))
        {
            before.Remember();
        }

        target.Call = null;
        _time.Advance(TimeSpan.FromMinutes(3));
        await using var after = Make(target);
        await after.RejoinAsync(TestContext.Current.CancellationToken);
        Assert.Empty(target.Rejoins);
        Assert.Empty(Directory.GetFiles(_root.Path));
    }

    [Fact]
    public async Task ARefusal_EndsTheRejoin_AndForgetsTheCall()
    {
        var target = new Target { Call = Standup, Failure = new LinkFailedException("relay 127.0.0.1:1122 refused: session full", final: true) };
        await using (var before = Make(target))
        {
            before.Remember();
        }

        await using var after = Make(target);
        await after.RejoinAsync(TestContext.Current.CancellationToken);
        Assert.Single(target.Rejoins);
        Assert.Null(target.RejoinedAfter);
        Assert.Empty(Directory.GetFiles(_root.Path));
    }

    [Fact]
    public async Task NotInACall_NothingIsWritten()
    {
        await using (var memory = Make(new Target()))
        {
            memory.Remember();
        }

        Assert.Empty(Directory.GetFiles(_root.Path));
    }

    private sealed class Target : IRejoinTarget
    {
        public RememberedCall? Call { get; set; }

        public LinkFailedException? Failure { get; init; }

        public List<(RememberedCall Call, byte[]? Key)> Rejoins { get; } = [];

        public double? RejoinedAfter { get; private set; }

        public RememberedCall? CallToRemember() => Call;

        public Task RejoinAsync(RememberedCall call, byte[]? passphraseKey, CancellationToken cancellationToken)
        {
            Rejoins.Add((call, passphraseKey));
            return Failure is null ? Task.CompletedTask : Task.FromException(Failure);
        }

        public void Rejoined(double afterSeconds) => RejoinedAfter = afterSeconds;
    }
}
