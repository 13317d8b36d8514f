using System.Diagnostics;
using S2cd.Tests.Support;
using Xunit.Abstractions;

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
        await using var control = await TestControlClient.ConnectAsync(relay.SocketPath);
        var pin = (await control.StatusAsync()).RelayListen is not null ? Fingerprint(relay.Output) : null;

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

        output.WriteLine($"600 links: {600 - failures.Count} let in after {clock.Elapsed.TotalSeconds:0.0} s");
        try
        {
            Assert.True(failures.Count == 0, $"{failures.Count} of 600 not let in, first: {failures.FirstOrDefault()}\n{string.Join('\n', relay.Output.Split('\n').Where(l => l.Contains("warn", StringComparison.Ordinal)).Take(5))}");
        }
        finally
        {
            foreach (var join in joins.Where(j => j.IsCompletedSuccessfully))
            {
                await (await join).Client.DisposeAsync();
            }
        }
    }

    private static string Fingerprint(string log)
    {
        var at = log.IndexOf("SHA256:", StringComparison.Ordinal);
        return log.Substring(at, 50);
    }
}
