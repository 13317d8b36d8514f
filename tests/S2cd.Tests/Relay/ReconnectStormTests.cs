using S2cd.Contract;
using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using S2cd.Relay;
using S2cd.Tests.Support;
using S2cd.Transport;
using S2cd.Transport.RelayLink;
using S2cd.Wire;


namespace S2cd.Tests.Relay;

/// <summary>
/// A relay that restarts with hundreds of members gets them all back at once: a real relay process, and 600 TLS
/// links from this process that connect and say hello at the same moment.
/// </summary>
public sealed class ReconnectStormTests(ITestOutputHelper output)
{
    [Fact(Timeout = 180_000)]
    public async Task SixHundredLinksAtOnce_AreAllLetIn()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay", 0, "--Relay:MaxSessions", "1000");
        await using var _ = relay;
        var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port);
        var pin = relay.LoggedRelayFingerprint();

        var clock = Stopwatch.StartNew();
        var joins = Enumerable.Range(0, 600).Select(i => Task.Run(() => RawRelayClient.JoinAsync(endpoint, pin, $"storm{i / 4}", $"m{i % 4}"))).ToArray();
        var failures = new List<string>();
        foreach (var join in joins)
        {
            try
            {
                await join;
            }
            catch (Exception ex)
            {
                failures.Add(ex.GetType().Name + ": " + ex.Message);
            }
        }

        var took = clock.Elapsed;
        output.WriteLine($"600 links: {600 - failures.Count} let in after {took.TotalSeconds:0.0} s");
        try
        {
            Assert.True(failures.Count == 0, $"{failures.Count} of 600 not let in, first: {failures.FirstOrDefault()}\n{string.Join('\n', relay.Output.Split('\n').Where(l => l.Contains("warn", StringComparison.Ordinal)).Take(5))}");

            // The benchmark page gives 1.5–1.6 s for the burst: five times that is the limit.
            Assert.True(took < TimeSpan.FromSeconds(8), $"600 links took {took.TotalSeconds:0.0} s to be let in, over 5 × the benchmark page's 1.6 s");
        }
        finally
        {
            foreach (var join in joins.Where(j => j.IsCompletedSuccessfully))
            {
                await (await join).Client.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task ARelayRestartedUnder100SessionsOf4_HasEveryMemberBackInItsSession()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay", 0, "--Relay:MaxSessions", "1000");
        var pin = relay.LoggedRelayFingerprint();

        // 400 members with the daemon's own link: TLS pinned to the relay, heartbeats, reconnection with jittered backoff.
        var transport = new TlsRelayTransport(
            new RelayLinkOptions { RelayFingerprint = pin, Udp = false, Connection = new RelayOptions().ConnectionOptions() },
            new KnownRelays(root.Sub("known")),
            TimeProvider.System,
            NullLogger<TlsRelayTransport>.Instance);
        var members = Enumerable.Range(0, 400).Select(i => new CountingEvents($"m{i % 4}")).ToArray();
        Assert.Null(NameRules.TryParseRelays($"127.0.0.1:{port}", out var relays));
        var links = members.Select((m, i) => transport.Open(new TransportJoin(relays, $"restart{i / 4}"), m)).ToArray();
        try
        {
            await Task.WhenAll(links.Select(l => l.Welcomed)).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            await relay.DisposeAsync();
            await Eventually.TrueAsync(() => Task.FromResult(members.All(m => m.Lost > 0)), TimeSpan.FromSeconds(30), "every member noticed the relay go");

            var clock = Stopwatch.StartNew();
            (relay, _) = await DaemonProcess.StartRelayAsync(root, "relay", port, "--Relay:MaxSessions", "1000");
            // The benchmark page gives 0.7–0.9 s from the relay's start: five times that is the limit.
            await Eventually.TrueAsync(
                () => Task.FromResult(members.All(m => m.Welcomes >= 2 && m.Others >= 3)),
                TimeSpan.FromSeconds(4.5),
                "every member back in its session with its three others (5 × the benchmark page's 0.9 s)");
            output.WriteLine($"400 members back in their 100 sessions {clock.Elapsed.TotalSeconds:0.0} s after the relay was started again");
        }
        finally
        {
            foreach (var link in links)
            {
                await link.DisposeAsync();
            }

            await relay.DisposeAsync();
        }
    }

    /// <summary>A member's side of the link: counts welcomes and who is in its session.</summary>
    private sealed class CountingEvents(string name) : ITransportEvents
    {
        private int _welcomes;
        private int _lost;
        private int _others;

        public int Welcomes => Volatile.Read(ref _welcomes);

        public int Lost => Volatile.Read(ref _lost);

        public int Others => Volatile.Read(ref _others);

        public (MemberFlags Flags, string Name) Presence() => (MemberFlags.None, name);

        public void OnSecured(LinkSecurity security)
        {
        }

        public void OnWelcome(uint selfId, IReadOnlyList<WireMember> members)
        {
            Volatile.Write(ref _others, members.Count);
            Interlocked.Increment(ref _welcomes);
        }

        public void OnPresence(PresenceEvent ev, WireMember member)
        {
            if (ev == PresenceEvent.Joined)
            {
                Interlocked.Increment(ref _others);
            }
            else if (ev == PresenceEvent.Left)
            {
                Interlocked.Decrement(ref _others);
            }
        }

        public void OnMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
        {
        }

        public void OnSignal(uint sender, ReadOnlySequence<byte> payload)
        {
        }

        public Task OnLinkLostAsync(string reason, bool final)
        {
            Interlocked.Increment(ref _lost);
            Volatile.Write(ref _others, 0);
            return Task.CompletedTask;
        }
    }
}
