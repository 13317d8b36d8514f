using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>The relay a participant daemon embeds, when its port is already taken by another daemon's.</summary>
public sealed class EmbeddedRelayTests
{
    [Fact(Timeout = 90_000)]
    public async Task EmbeddedRelayPortTaken_TheSecondDaemonSaysSoAndWorksThroughTheFirstOnesRelay()
    {
        using var root = new TempDirectory();
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var address = $"127.0.0.1:{port}";
        string[] common = ["--listen", address, "--relay", address, "--Audio:Enabled", "false", "--Video:Fps", "5"];
        await using var first = DaemonProcess.Start(root, "first", ["--name", "first", .. common]);
        await first.WaitReadyAsync();
        await using var second = DaemonProcess.Start(root, "second", ["--name", "second", .. common]);
        await second.WaitReadyAsync();
        await Eventually.TrueAsync(
            () => Task.FromResult(second.Output.Contains($"The embedded relay did not start on {address}: Address already in use. Another daemon may host it; joins use the configured relay", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5),
            "the second daemon says why its embedded relay did not start");

        await using var a = await TestControlClient.ConnectAsync(first.SocketPath);
        await using var b = await TestControlClient.ConnectAsync(second.SocketPath);
        Assert.Equal(address, (await a.StatusAsync()).RelayListen);
        Assert.Null((await b.StatusAsync()).RelayListen);
        await a.JoinAsync("shared");
        await b.JoinAsync("shared");
        await Eventually.TrueAsync(async () => (await a.WhoAsync()).Any(p => p.Name == "second" && p.VideoFps > 0), TimeSpan.FromSeconds(20), "first sees second");
        await Eventually.TrueAsync(async () => (await b.WhoAsync()).Any(p => p.Name == "first" && p.VideoFps > 0), TimeSpan.FromSeconds(20), "second sees first");
        Assert.Equal(2, (await a.StatusAsync()).RelayConnections);
    }
}
