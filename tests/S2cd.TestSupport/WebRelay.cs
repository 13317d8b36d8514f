using System.Net;
using System.Text.RegularExpressions;

namespace S2cd.Tests.Support;

/// <summary>A relay of its own (relay role) with its web front on a free loopback port, and what a test needs to reach both.</summary>
internal sealed partial class WebRelay : IAsyncDisposable
{
    private WebRelay(DaemonProcess relay, string relayAddress, Uri web, string fingerprint)
    {
        Relay = relay;
        RelayAddress = relayAddress;
        Web = web;
        Fingerprint = fingerprint;
    }

    public DaemonProcess Relay { get; }

    /// <summary>Where daemons reach the relay (127.0.0.1:PORT).</summary>
    public string RelayAddress { get; }

    /// <summary>The web front (http://127.0.0.1:PORT/).</summary>
    public Uri Web { get; }

    /// <summary>The relay's certificate fingerprint, as it logged it.</summary>
    public string Fingerprint { get; }

    public static Task<WebRelay> StartAsync(TempDirectory root, params string[] extra) => StartFromAsync(root, null, extra);

    /// <summary>The relay run from <paramref name="program"/> (a native s2cd, such as the .deb's), or the build's when null.</summary>
    public static async Task<WebRelay> StartFromAsync(TempDirectory root, string? program, params string[] extra)
    {
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay", 0, program, ["--web", "127.0.0.1:0", .. extra]);
        await using var client = await TestControlClient.ConnectAsync(relay.SocketPath);
        string? web = null;
        await Eventually.TrueAsync(async () => (web = (await client.StatusAsync()).RelayWeb) is not null, TimeSpan.FromSeconds(15), "the relay's web front");
        return new WebRelay(relay, $"127.0.0.1:{port}", new Uri(web!.TrimEnd('/') + "/"), relay.LoggedRelayFingerprint());
    }

    /// <summary>An HTTP client of the web front that does not follow redirects (the tests look at them).</summary>
    public HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Web, Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>The command a session page shows, decoded.</summary>
    public static string CommandOf(string page) =>
        WebUtility.HtmlDecode(Command().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no command on the page:\n" + page));

    /// <summary>The one-line join a session page shows, decoded, or null when it shows none.</summary>
    public static string? JoinLineOf(string page) =>
        JoinLine().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    public ValueTask DisposeAsync() => Relay.DisposeAsync();

    [GeneratedRegex("<code id=\"join-line\">([^<]*)</code>")]
    private static partial Regex JoinLine();

    [GeneratedRegex("<code id=\"command\">([^<]*)</code>")]
    private static partial Regex Command();
}
