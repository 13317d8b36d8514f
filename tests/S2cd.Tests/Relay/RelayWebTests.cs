using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.Relay;

/// <summary>
/// The relay's web front (Relay:Web) in a real relay process, over real HTTP: the session-link page and the command
/// it shows, run with s2c-attach against a real daemon; the member count; bad input; /metrics, /healthz and /readyz;
/// and the log under a flood of garbage connections.
/// </summary>
public sealed partial class RelayWebTests
{
    [Fact(Timeout = 120_000)]
    public async Task ThePage_MakesASession_WhoseCommandJoinsIt_AndTheSessionPageCountsTheMember_WithoutNamesOrAddresses()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root);
        using var http = web.Client();

        var home = await http.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains("<form method=\"post\" action=\"/\">", home, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", home, StringComparison.OrdinalIgnoreCase);

        // No name typed: the relay makes one nobody can guess, and sends the browser to its page.
        var made = await http.PostAsync("/", Form(("session", ""), ("passphrase", "on"), ("hint", "the <b>usual</b> one")), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.SeeOther, made.StatusCode);
        var location = made.Headers.Location!.OriginalString;
        Assert.Matches("^/s/s2c-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$", location);
        var page = await http.GetStringAsync(location, TestContext.Current.CancellationToken);
        var command = WebRelay.CommandOf(page);
        var name = location["/s/".Length..];
        Assert.Equal($"s2c-attach join {name} --relay {web.RelayAddress} --relay-fingerprint {web.Fingerprint} --passphrase", command);
        Assert.Contains("Hint: <q id=\"hint\">the &lt;b&gt;usual&lt;/b&gt; one</q>", page, StringComparison.Ordinal);
        Assert.Contains("Nobody is in it yet.", page, StringComparison.Ordinal);

        // The command, as a newcomer would run it (the passphrase given on the command line here).
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", web.RelayAddress, "--Audio:Enabled", "false", "--Video:Fps", "2");
        var (code, _, stderr) = await AttachRunner.RunAsync(alice.SocketPath, [.. command.Split(' ')[1..^1], "--passphrase", "sesame", "--detach"]);
        Assert.True(code == 0, stderr);
        page = await http.GetStringAsync(location, TestContext.Current.CancellationToken);
        Assert.Contains("1 member is in it now.", page, StringComparison.Ordinal);
        await using var client = await TestControlClient.ConnectAsync(alice.SocketPath);
        var status = await client.StatusAsync();

        // Nothing of who is in it: not alice's name, not the address the relay saw her come from.
        await Eventually.TrueAsync(() => Task.FromResult(RemotePort().IsMatch(web.Relay.Output)), TimeSpan.FromSeconds(5), "the relay logged the join");
        Assert.DoesNotContain("alice", page, StringComparison.Ordinal);
        foreach (Match remote in RemotePort().Matches(web.Relay.Output))
        {
            Assert.DoesNotContain(remote.Groups[1].Value, page, StringComparison.Ordinal);
        }

        Assert.Equal(name, status.Session);
    }

    [Fact(Timeout = 120_000)]
    public async Task WithAWebToken_TheFormAsksForIt_AndMakesNothingWithoutTheRightOne()
    {
        const string Token = "s2c-web-token-0123456789";
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root, "--Relay:WebToken", Token);
        using var http = web.Client();
        Assert.Contains("name=\"token\"", await http.GetStringAsync("/", TestContext.Current.CancellationToken), StringComparison.Ordinal);

        foreach (var wrong in new[] { null, string.Empty, "s2c-web-token-012345678", Token + "x" })
        {
            (string, string)[] fields = wrong is null ? [("session", "gated"), ("hint", "the usual")] : [("session", "gated"), ("hint", "the usual"), ("token", wrong)];
            var refused = await http.PostAsync("/", Form(fields), TestContext.Current.CancellationToken);
            var page = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Null(refused.Headers.Location);
            Assert.Contains("The token is not this relay", page, StringComparison.Ordinal);
            Assert.Contains("value=\"gated\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain(Token[..16], page, StringComparison.Ordinal);
        }

        // Nothing was made: the session's page knows no passphrase hint yet.
        Assert.DoesNotContain("the usual", await http.GetStringAsync("/s/gated", TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var made = await http.PostAsync("/", Form(("session", "gated"), ("hint", "the usual"), ("token", Token)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.SeeOther, made.StatusCode);
        Assert.Equal("/s/gated", made.Headers.Location!.OriginalString);
        Assert.Contains("the usual", await http.GetStringAsync("/s/gated", TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, web.Relay.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task BadInput_GetsAClearPage_AndChangesNothing_NoRedirectLeavesTheRelay_AndMakingSessionsIsRateLimited()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root, "--Relay:WebSessionsPerMinute", "8");
        using var http = web.Client();

        var bad = await http.PostAsync("/", Form(("session", "//evil.example/x")), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Null(bad.Headers.Location);
        Assert.Contains("session name may hold only letters", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("value=\"//evil.example/x\"", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var script = await http.PostAsync("/", Form(("session", "<script>alert(1)</script>")), TestContext.Current.CancellationToken);
        Assert.DoesNotContain("<script>", await script.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var longHint = await http.PostAsync("/", Form(("session", "ok"), ("hint", new string('h', 500))), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, longHint.StatusCode);
        Assert.Contains("at most 120 are allowed", await longHint.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var huge = await http.PostAsync("/", Form(("session", "ok"), ("hint", new string('h', 8000))), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        var json = await http.PostAsync("/", new StringContent("{\"session\":\"ok\"}", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/s/bad%20name", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/s/" + new string('a', 65), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/etc/passwd", TestContext.Current.CancellationToken)).StatusCode);
        Assert.True((await http.GetAsync("/" + new string('x', 5000), TestContext.Current.CancellationToken)).StatusCode is HttpStatusCode.RequestUriTooLong or HttpStatusCode.BadRequest);

        // Eight requests to make a session a minute from one address (this test's setting; the five above count): the
        // ninth is refused, with a page that says so.
        var made = 0;
        HttpResponseMessage last;
        do
        {
            last = await http.PostAsync("/", Form(("session", $"room{made}")), TestContext.Current.CancellationToken);
            if (last.StatusCode == HttpStatusCode.SeeOther)
            {
                Assert.StartsWith("/s/room", last.Headers.Location!.OriginalString, StringComparison.Ordinal);
                made++;
            }
        }
        while (last.StatusCode == HttpStatusCode.SeeOther && made < 10);

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Contains("asked for 8 sessions in the last minute", await last.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(3, made);

        // The relay and its pages carry on.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/s/room0", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
        Assert.False(web.Relay.HasExited, web.Relay.Output);
    }

    [Fact(Timeout = 120_000)]
    public async Task Metrics_CountSessionsMembersAndForwardedMedia_HealthAndReadinessAnswer()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root);
        using var http = web.Client();
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz", TestContext.Current.CancellationToken));
        Assert.Equal("ready\n", await http.GetStringAsync("/readyz", TestContext.Current.CancellationToken));

        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", web.RelayAddress, "--Audio:Enabled", "false", "--Video:Fps", "5");
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", web.RelayAddress, "--Audio:Enabled", "false", "--Video:Fps", "5");
        foreach (var daemon in new[] { alice, bob })
        {
            await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
            await client.JoinAsync("measured");
        }

        string metrics = string.Empty;
        await Eventually.TrueAsync(
            async () =>
            {
                metrics = await http.GetStringAsync("/metrics");
                return Value(metrics, "s2c_relay_forwarded_messages_total{kind=\"video\"}") > 10;
            },
            TimeSpan.FromSeconds(20),
            "video forwarded");
        Assert.Equal(1, Value(metrics, "s2c_relay_sessions"));
        Assert.Equal(2, Value(metrics, "s2c_relay_members"));
        Assert.True(Value(metrics, "s2c_relay_forwarded_bytes_total{kind=\"video\"}") > 1000);
        Assert.Equal(0, Value(metrics, "s2c_relay_dropped_messages_total{reason=\"rate_limit\"}"));
        Assert.True(Value(metrics, "process_cpu_seconds_total") > 0);
        Assert.InRange(Value(metrics, "process_resident_memory_bytes"), 10_000_000, 2_000_000_000);
        Assert.True(Value(metrics, "process_num_threads") > 2);
        Assert.Contains("# TYPE s2c_relay_forwarded_messages_total counter", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("s2c_relay_fabric", metrics, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task AWebAddressThatIsTaken_IsReported_AndTheRelayForwardsCallsWithoutIt()
    {
        using var root = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (relay, relayPort) = await DaemonProcess.StartRelayAsync(root, "relay", 0, "--web", $"127.0.0.1:{port}");
        await using var relayProcess = relay;
        var (code, status, _) = await AttachRunner.RunAsync(relay.SocketPath, "status");
        Assert.True(code == 0, status);
        Assert.Contains($"Problem    web front not serving: Relay:Web 127.0.0.1:{port}: ", status, StringComparison.Ordinal);
        Assert.Contains("does not serve on", relay.Output, StringComparison.Ordinal);

        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", $"127.0.0.1:{relayPort}", "--Audio:Enabled", "false");
        await using var client = await TestControlClient.ConnectAsync(alice.SocketPath);
        Assert.Equal(ConnectionState.Connected, (await client.JoinAsync("still-served")).Connection);
    }

    [Fact(Timeout = 60_000)]
    public async Task InATextBrowser_ThePagesRead_AndTheCommandIsOneLineToCopy()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root);
        using var http = web.Client();
        await http.PostAsync("/", Form(("session", "plain-text")), TestContext.Current.CancellationToken);
        var (code, home) = await Packaging.Run.ProgramAsync("w3m", "-dump", "-cols", "100", new Uri(web.Web, "/").ToString());
        Assert.True(code == 0, home);
        Assert.Contains("Start a call", home, StringComparison.Ordinal);
        Assert.Contains("Session name (optional)", home, StringComparison.Ordinal);
        Assert.Contains("[ ] Protect it with a passphrase", home, StringComparison.Ordinal);
        Assert.Contains("Make the session", home, StringComparison.Ordinal);

        var (_, page) = await Packaging.Run.ProgramAsync("w3m", "-dump", "-cols", "200", new Uri(web.Web, "/s/plain-text").ToString());
        Assert.Contains("Nobody is in it yet.", page, StringComparison.Ordinal);
        Assert.Contains($"s2c-attach join plain-text --relay {web.RelayAddress} --relay-fingerprint {web.Fingerprint}\n", page, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task WithAFabric_TheSessionPageCountsMembersOnEveryRelay()
    {
        using var root = new TempDirectory();
        await using var cluster = await NatsCluster.StartAsync(nodes: 1);
        await using var web = await WebRelay.StartAsync(root, Fabric.FabricTests.Fabric(cluster, 0, NatsCluster.Password));
        var (other, otherPort) = await DaemonProcess.StartRelayAsync(root, "relay-b", 0, Fabric.FabricTests.Fabric(cluster, 0, NatsCluster.Password));
        await using var otherRelay = other;
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", web.RelayAddress, "--Audio:Enabled", "false", "--Video:Fps", "2");
        await using var bob = await DaemonProcess.StartParticipantAsync(root, "bob", $"127.0.0.1:{otherPort}", "--Audio:Enabled", "false", "--Video:Fps", "2");
        foreach (var daemon in new[] { alice, bob })
        {
            await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
            await client.JoinAsync("spread");
        }

        using var http = web.Client();
        await Eventually.TrueAsync(
            async () => (await http.GetStringAsync("/s/spread")).Contains("2 members are in it now.", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15),
            "alice here and bob on the other relay counted");
        Assert.DoesNotContain("bob", await http.GetStringAsync("/s/spread", TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task WithAFabric_ReadyzFollowsTheNatsConnection_AndTheFabricCountersAppear()
    {
        using var root = new TempDirectory();
        await using var cluster = await NatsCluster.StartAsync(nodes: 1);
        await using var web = await WebRelay.StartAsync(root, Fabric.FabricTests.Fabric(cluster, 0, NatsCluster.Password));
        using var http = web.Client();
        await Eventually.TrueAsync(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "ready with its fabric");
        Assert.Equal(1, Value(await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken), "s2c_relay_fabric_connected"));

        cluster.Kill(0);
        await Eventually.TrueAsync(
            async () => await http.GetAsync("/readyz") is { StatusCode: HttpStatusCode.ServiceUnavailable } answer
                && (await answer.Content.ReadAsStringAsync()).Contains("not connected to the fabric", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "not ready without its fabric");
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(0, Value(metrics, "s2c_relay_fabric_connected"));
        Assert.True(Value(metrics, "s2c_relay_fabric_messages_total{direction=\"published\"}") > 0, "the relay published its tag claims");
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz", TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 120_000)]
    public async Task AFloodOfGarbageConnections_IsCounted_AndLoggedAsOneLinePerCausePerInterval()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root, "--Relay:LogSummarySeconds", "2");
        using var http = web.Client();
        const int Garbage = 200;
        var port = int.Parse(web.RelayAddress[(web.RelayAddress.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var junk = new byte[64];
        new Random(7).NextBytes(junk);
        for (var i = 0; i < Garbage; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            await socket.SendAsync(junk);
            socket.Shutdown(SocketShutdown.Both);
        }

        await Eventually.TrueAsync(
            async () => Value(await http.GetStringAsync("/metrics"), "s2c_relay_refused_connections_total{cause=\"tls_handshake_failed\"}") == Garbage,
            TimeSpan.FromSeconds(20),
            $"{Garbage} failed handshakes counted");
        Assert.Equal(Garbage, Value(await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken), "s2c_relay_tls_handshakes_failed_total"));

        // Within a few summary intervals, a handful of lines, not 200.
        await Eventually.TrueAsync(() => Task.FromResult(SummedIn(web.Relay.Output) == Garbage), TimeSpan.FromSeconds(10), "the summary lines add up to the flood");
        var lines = web.Relay.Output.Split('\n').Count(l => l.Contains("TLS handshake failed", StringComparison.Ordinal));
        Assert.InRange(lines, 1, 6);
        Assert.Contains("connections in the last 2 s (the last from 127.0.0.1:", web.Relay.Output, StringComparison.Ordinal);
        Assert.False(web.Relay.HasExited, web.Relay.Output);

        static long SummedIn(string log) =>
            SummaryCount().Matches(log).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            + log.Split('\n').Count(l => l.Contains("TLS handshake failed: 127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task JoinWithARelayFingerprint_RefusesAnotherCertificate_AndPinsTheRightOne()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var relayProcess = relay;
        var address = $"127.0.0.1:{port}";
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", address, "--Audio:Enabled", "false");
        const string Wrong = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var (code, _, stderr) = await AttachRunner.RunAsync(alice.SocketPath, "join", "pinned", "--relay", address, "--relay-fingerprint", Wrong, "--detach");
        Assert.NotEqual(0, code);
        Assert.Contains($"presented certificate {relay.LoggedRelayFingerprint()}, but join --relay-fingerprint expects {Wrong}", stderr, StringComparison.Ordinal);
        var knownRelays = Path.Combine(root.Sub("alice"), "state", "known_relays");
        Assert.False(File.Exists(knownRelays) && File.ReadAllText(knownRelays).Contains(address, StringComparison.Ordinal), "nothing pinned after a refusal");

        (code, _, stderr) = await AttachRunner.RunAsync(alice.SocketPath, "join", "pinned", "--relay", address, "--relay-fingerprint", "SHA256:short", "--detach");
        Assert.NotEqual(0, code);
        Assert.Contains("--relay-fingerprint: relay fingerprint must be SHA256: and 43 base64 characters", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await AttachRunner.RunAsync(alice.SocketPath, "join", "pinned", "--relay", address, "--relay-fingerprint", relay.LoggedRelayFingerprint(), "--detach");
        Assert.True(code == 0, stderr);
        Assert.Contains($"{address} {relay.LoggedRelayFingerprint()}", await File.ReadAllTextAsync(knownRelays, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    /// <summary>The value of one sample in Prometheus text, or -1 when it is not there.</summary>
    private static double Value(string metrics, string sample)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(sample.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    [GeneratedRegex(@"joined session \S+ from (127\.0\.0\.1:\d+)")]
    private static partial Regex RemotePort();

    [GeneratedRegex(@"TLS handshake failed: (\d+) connections in the last")]
    private static partial Regex SummaryCount();
}
