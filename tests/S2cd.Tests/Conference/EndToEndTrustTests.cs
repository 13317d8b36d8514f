using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Tests.Support;

namespace S2cd.Tests.Conference;

public sealed class EndToEndTrustTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private EndToEndTrust Make(bool endToEnd = true, DaemonRole role = DaemonRole.Participant) => new(
        Options.Create(new ConferenceOptions { EndToEnd = endToEnd }),
        Options.Create(new DaemonOptions { StateDirectory = _root.Sub("state"), Role = role }),
        new FakeTimeProvider(),
        NullLogger<EndToEndTrust>.Instance);

    [Fact]
    public async Task ACallsCounters_OutliveItsConnections_UntilANewCall()
    {
        var trust = Make();
        Assert.Equal(new EndToEndStatus(EndToEndState.WaitingForRelay), trust.Status());
        var e2e = trust.Begin("standup", selfId: 1, passphraseKey: null, (_, _) => { }, _ => { });
        Assert.Same(e2e, trust.Current);
        Assert.Equal(new EndToEndStatus(EndToEndState.On), trust.Status());

        // A signal from someone who is not in the session is counted as a bad key bundle.
        trust.OnSignal(9, new ReadOnlySequence<byte>([2, 0, 0]));
        Assert.Equal(1, trust.Figures().BadKeyBundles);

        // The connection drops and comes back: the count stays in the call's totals.
        await trust.EndAsync();
        Assert.Null(trust.Current);
        trust.Begin("standup", selfId: 2, passphraseKey: null, (_, _) => { }, _ => { });
        trust.OnSignal(9, new ReadOnlySequence<byte>([2]));
        Assert.Equal(2, trust.Figures().BadKeyBundles);

        // A new call starts from nothing.
        await trust.EndAsync();
        trust.ResetTotals();
        Assert.Equal(default, trust.Figures());
    }

    [Fact]
    public void Off_SaysSoForEveryMember_AndBeginsNothing()
    {
        var trust = Make(endToEnd: false);
        Assert.Null(trust.Begin("standup", 1, null, (_, _) => { }, _ => { }));
        Assert.Equal(new EndToEndStatus(EndToEndState.Off), trust.Status());
        Assert.Equal((null, Trust.NotEncrypted, null), trust.Describe(null, 5));
        Assert.NotNull(trust.Identity);
    }

    [Fact]
    public void TheRelayRole_HasNoIdentity()
    {
        var trust = Make(role: DaemonRole.Relay);
        Assert.Null(trust.Identity);
        Assert.Null(trust.Begin("standup", 1, null, (_, _) => { }, _ => { }));
    }
}
