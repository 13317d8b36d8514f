using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using S2cd.Tests.Packaging;
using S2cd.Tests.Support;

namespace S2cd.Tests.Relay;

/// <summary>
/// The web front's one-line join (<c>curl -fsSL URL/j/NAME | sh</c>) in a real relay process over real HTTP, with a
/// stand-in build (files that start as ELF programs do) offered through Relay:DownloadsFrom: the page and its copy
/// script under the content security policy, the script (its values, its hash, shellcheck), the download and its
/// bounds and counters, a tampered download refused before unpacking, no build to offer, and the address behind a proxy.
/// The line run end to end with the real build is in Packaging/JoinLinePackageTests.
/// </summary>
public sealed partial class JoinLineTests
{
    [Fact(Timeout = 120_000)]
    public async Task WithABuild_ThePageShowsTheLine_ItsScriptCarriesTheDownloadsHash_AndTheDownloadIsThatBuild()
    {
        using var root = new TempDirectory();
        var build = StandInBuild(root, megabytes: 1);

        // What an earlier version packed (and a packing cut short) is removed once this one is packed.
        var downloads = Directory.CreateDirectory(Path.Combine(root.Sub("relay"), "state", "downloads")).FullName;
        string[] stale = ["s2cd-0.0.1-linux-x64.tar.gz", "s2cd-0.0.1-linux-x64.tar.gz.stamp", "s2cd-0.0.1-linux-x64.tar.gz.partial"];
        foreach (var file in stale)
        {
            await File.WriteAllTextAsync(Path.Combine(downloads, file), "old", TestContext.Current.CancellationToken);
        }

        await using var web = await WebRelay.StartAsync(root, "--Relay:DownloadsFrom", build);
        using var http = web.Client();
        var token = TestContext.Current.CancellationToken;

        var page = await http.GetAsync("/s/Standup", token);
        var html = await page.Content.ReadAsStringAsync(token);
        Assert.Equal($"curl -fsSL http://{web.Web.Authority}/j/Standup | sh", WebRelay.JoinLineOf(html));

        // The copy button's script is the one script on the page, and the policy allows exactly it by its hash.
        var script = Regex.Match(html, "<script>(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        var hash = "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains($"script-src '{hash}'", policy, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase));

        var text = await http.GetStringAsync("/j/Standup", token);
        Assert.Equal("Standup", Value(text, "session"));
        Assert.Equal(web.RelayAddress, Value(text, "relay"));
        Assert.Equal(web.Fingerprint, Value(text, "fingerprint"));
        var url = Value(text, "bundle_url");
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/download/s2cd-[0-9.]+-linux-x64\.tar\.gz$", url);

        var bytes = await http.GetByteArrayAsync(url, token);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), Value(text, "bundle_sha256"));
        var tarball = Path.Combine(root.Path, "downloaded.tar.gz");
        await File.WriteAllBytesAsync(tarball, bytes, token);
        var unpacked = root.Sub("unpacked");
        Assert.Equal(0, (await Run.ProgramAsync("tar", "-xzf", tarball, "-C", unpacked)).ExitCode);
        var top = Directory.GetDirectories(unpacked).Single();
        Assert.Equal($"s2cd-{Value(text, "version")}", Path.GetFileName(top));
        Assert.Equal(["libstandin.so", "s2c-attach", "s2cd"], Directory.GetFiles(top).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(build, "s2cd"), token), await File.ReadAllBytesAsync(Path.Combine(top, "s2cd"), token));
        Assert.True(File.GetUnixFileMode(Path.Combine(top, "s2c-attach")).HasFlag(UnixFileMode.UserExecute), "programs stay executable");

        await using var client = await TestControlClient.ConnectAsync(web.Relay.SocketPath);
        var status = await client.StatusAsync();
        Assert.Null(status.RelayJoinBuildMissing);
        Assert.Contains(Value(text, "bundle_sha256"), status.RelayJoinBuild, StringComparison.Ordinal);
        Assert.Contains("s2c_relay_downloads_total{result=\"served\"} 1", await http.GetStringAsync("/metrics", token), StringComparison.Ordinal);
        Assert.Equal([Path.GetFileName(url), Path.GetFileName(url) + ".stamp"], Directory.GetFiles(downloads).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task TheScript_IsCleanUnderShellcheck_WithABuildAndWithout()
    {
        using var root = new TempDirectory();
        await using var offering = await WebRelay.StartAsync(root, "--Relay:DownloadsFrom", StandInBuild(root, megabytes: 0));
        using var withBuild = offering.Client();
        using var plainRoot = new TempDirectory();
        await using var plain = await WebRelay.StartAsync(plainRoot);
        using var withoutBuild = plain.Client();
        foreach (var (http, session) in new[] { (withBuild, "check-1"), (withoutBuild, "check-2") })
        {
            var script = await http.GetStringAsync($"/j/{session}", TestContext.Current.CancellationToken);
            var file = Path.Combine(root.Path, session + ".sh");
            await File.WriteAllTextAsync(file, script, TestContext.Current.CancellationToken);
            var (code, output) = await Run.ProgramAsync("shellcheck", "--shell=sh", "--severity=style", file);
            Assert.True(code == 0, $"shellcheck on the script for {session}:\n{output}");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ADownloadWhoseBytesDifferFromTheHash_IsRefused_AndNothingIsUnpacked()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root, "--Relay:DownloadsFrom", StandInBuild(root, megabytes: 1));
        using var http = web.Client();
        var script = await http.GetStringAsync("/j/tampered", TestContext.Current.CancellationToken);
        var bytes = await http.GetByteArrayAsync(Value(script, "bundle_url"), TestContext.Current.CancellationToken);

        // Someone between the relay and the person changes the tarball (one byte): the script's hash no longer matches.
        bytes[bytes.Length / 2] ^= 0x40;
        var changed = Path.Combine(root.Path, "changed.tar.gz");
        await File.WriteAllBytesAsync(changed, bytes, TestContext.Current.CancellationToken);
        script = script.Replace(Value(script, "bundle_url"), "file://" + changed, StringComparison.Ordinal);

        var home = root.Sub("home");
        var (code, output) = await Run.ProgramWithEnvironmentAsync("sh", new Dictionary<string, string> { ["HOME"] = home, ["PATH"] = "/usr/bin:/bin" }, "-c", script);
        Assert.Equal(1, code);
        Assert.Contains("refused, nothing was unpacked", output, StringComparison.Ordinal);
        var data = Path.Combine(home, ".local", "share", "s2cd");
        Assert.Empty(Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories));

        // The same script with the relay's own bytes gets past the check (and on to the stand-in's daemon, which is not one).
        var untouched = Path.Combine(root.Path, "untouched.tar.gz");
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(untouched, bytes, TestContext.Current.CancellationToken);
        var (_, second) = await Run.ProgramWithEnvironmentAsync("sh", new Dictionary<string, string> { ["HOME"] = home, ["PATH"] = "/usr/bin:/bin" }, "-c", script.Replace("file://" + changed, "file://" + untouched, StringComparison.Ordinal));
        Assert.DoesNotContain("refused", second, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, Value(script, "version"), "s2cd")), second);
    }

    [Fact(Timeout = 120_000)]
    public async Task WithoutABuild_ThePageShowsOnlyTheCommand_StatusSaysWhy_AndTheScriptSaysSo()
    {
        using var root = new TempDirectory();

        // A relay whose program directory holds no NativeAOT build (the suite may run native daemons, whose directory does).
        await using var plain = await WebRelay.StartAsync(root, "--Relay:DownloadsFrom", root.Sub("no-build"));
        using var offRoot = new TempDirectory();
        await using var off = await WebRelay.StartAsync(offRoot, "--Relay:DownloadsFrom", StandInBuild(root, megabytes: 0), "--Relay:Downloads", "false");
        foreach (var (web, why) in new[] { (plain, "holds no NativeAOT build of s2cd and s2c-attach"), (off, "Relay:Downloads is false") })
        {
            using var http = web.Client();
            var page = await http.GetStringAsync("/s/quiet", TestContext.Current.CancellationToken);
            Assert.Null(WebRelay.JoinLineOf(page));
            Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
            Assert.StartsWith("s2c-attach join quiet", WebRelay.CommandOf(page), StringComparison.Ordinal);

            await using var client = await TestControlClient.ConnectAsync(web.Relay.SocketPath);
            var status = await client.StatusAsync();
            Assert.Null(status.RelayJoinBuild);
            Assert.Contains(why, status.RelayJoinBuildMissing, StringComparison.Ordinal);
            var (_, shown, _) = await AttachRunner.RunAsync(web.Relay.SocketPath, ["status"]);
            Assert.Contains("Join line  not offered", shown, StringComparison.Ordinal);

            var script = await http.GetStringAsync("/j/quiet", TestContext.Current.CancellationToken);
            Assert.Equal(string.Empty, Value(script, "bundle_url"));
            var (code, output) = await Run.ProgramWithEnvironmentAsync("sh", new Dictionary<string, string> { ["HOME"] = root.Sub("home-" + why.Length), ["PATH"] = "/usr/bin:/bin" }, "-c", script);
            Assert.Equal(1, code);
            Assert.Contains("this relay offers no build: ", output, StringComparison.Ordinal);
            Assert.Contains(why, output, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/download/s2cd-{Value(script, "version")}-linux-x64.tar.gz", TestContext.Current.CancellationToken)).StatusCode);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Downloads_AreBoundedPerAddressAndInNumberAtOnce_AndCounted()
    {
        using var root = new TempDirectory();

        // A build too large for the socket's buffers: a download that is not read stays open, taking its place.
        await using var web = await WebRelay.StartAsync(root, "--Relay:DownloadsFrom", StandInBuild(root, megabytes: 24), "--Relay:DownloadsPerAddressPerHour", "2", "--Relay:MaxConcurrentDownloads", "1");
        using var http = web.Client();
        var token = TestContext.Current.CancellationToken;
        var url = Value(await http.GetStringAsync("/j/bounded", token), "bundle_url");

        using (var held = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token))
        {
            Assert.Equal(HttpStatusCode.OK, held.StatusCode);
            using var busy = await http.GetAsync(url, token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Contains("as many downloads as it allows", await busy.Content.ReadAsStringAsync(token), StringComparison.Ordinal);
        }

        // The held one ended when its response was let go; the address's second download is its last this hour (being
        // refused for busy cost it nothing).
        await Eventually.TrueAsync(async () => (await http.GetAsync(url, token)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "a download once the held one has ended");
        var refused = await http.GetAsync(url, token);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var metrics = await http.GetStringAsync("/metrics", token);
        Assert.Contains("s2c_relay_downloads_total{result=\"refused_rate\"} 1", metrics, StringComparison.Ordinal);
        Assert.Matches("s2c_relay_downloads_total\\{result=\"refused_busy\"\\} [1-9]", metrics);
        Assert.Contains("s2c_relay_downloads_total{result=\"served\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("s2c_relay_downloads_total{result=\"failed\"} 1", metrics, StringComparison.Ordinal);

        // Any other name under /download is not there.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/download/..%2F..%2Fetc%2Fpasswd", token)).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task BehindATrustedProxy_TheLineUsesItsSchemeAndHost_AndTheLimitsItsClientAddress_AnUntrustedOnesHeadersAreIgnored()
    {
        using var root = new TempDirectory();
        var build = StandInBuild(root, megabytes: 0);
        await using var proxied = await WebRelay.StartAsync(root, "--Relay:DownloadsFrom", build, "--Relay:TrustedProxies", "127.0.0.1", "--Relay:DownloadsPerAddressPerHour", "1");
        using var directRoot = new TempDirectory();
        await using var direct = await WebRelay.StartAsync(directRoot, "--Relay:DownloadsFrom", build);
        using var configuredRoot = new TempDirectory();
        await using var configured = await WebRelay.StartAsync(configuredRoot, "--Relay:DownloadsFrom", build, "--Relay:PublicWebUrl", "https://calls.example.org:8443");
        var token = TestContext.Current.CancellationToken;

        Assert.Equal("curl -fsSL https://call.example.org/j/p1 | sh", WebRelay.JoinLineOf((await ForwardedAsync(proxied, "/s/p1", "192.0.2.7")).Body));
        Assert.Equal($"curl -fsSL http://{direct.Web.Authority}/j/p1 | sh", WebRelay.JoinLineOf((await ForwardedAsync(direct, "/s/p1", "192.0.2.7")).Body));
        using (var http = configured.Client())
        {
            Assert.Equal("curl -fsSL https://calls.example.org:8443/j/p1 | sh", WebRelay.JoinLineOf(await http.GetStringAsync("/s/p1", token)));
            Assert.StartsWith("https://calls.example.org:8443/download/", Value(await http.GetStringAsync("/j/p1", token), "bundle_url"), StringComparison.Ordinal);
        }

        // The script names the proxy's address, and each client behind the proxy has a budget of its own.
        var script = (await ForwardedAsync(proxied, "/j/p1", "192.0.2.7")).Body;
        var path = new Uri(Value(script, "bundle_url")).AbsolutePath;
        Assert.StartsWith("https://call.example.org/download/", Value(script, "bundle_url"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await ForwardedAsync(proxied, path, "192.0.2.7")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ForwardedAsync(proxied, path, "192.0.2.7")).Status);
        Assert.Equal(HttpStatusCode.OK, (await ForwardedAsync(proxied, path, "192.0.2.8")).Status);

        // A host that could not be written into a script safely gets no line.
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/s/p1");
        bad.Headers.Add("X-Forwarded-Host", "x$(id)'.example.org");
        bad.Headers.Add("X-Forwarded-Proto", "https");
        using var client = proxied.Client();
        Assert.Null(WebRelay.JoinLineOf(await (await client.SendAsync(bad, token)).Content.ReadAsStringAsync(token)));
    }

    [Fact(Timeout = 180_000)]
    public async Task InChromium_TheCopyButtonRunsUnderThePolicy_AndCopiesTheLine()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root, "--Relay:DownloadsFrom", StandInBuild(root, megabytes: 0));
        using var browser = HeadlessChromium.Start(root.Sub("chromium"));
        try
        {
            var copied = await CopyJoinLineAsync(browser, new Uri(web.Web, "/s/copied"));
            Assert.Equal($"curl -fsSL http://{web.Web.Authority}/j/copied | sh", copied);
        }
        finally
        {
            browser.Screenshot("relay-web-join-line.png");
        }
    }

    /// <summary>
    /// Opens <paramref name="page"/>, clicks Copy, and returns what the person now has to paste: the clipboard (granted
    /// to the page as a person's click would), or the selection the button makes where the clipboard is refused.
    /// The button's label says which; a script the policy blocked would leave it "Copy".
    /// </summary>
    internal static async Task<string?> CopyJoinLineAsync(HeadlessChromium browser, Uri page)
    {
        browser.Driver.ExecuteCdpCommand("Browser.grantPermissions", new Dictionary<string, object?>
        {
            ["origin"] = page.GetLeftPart(UriPartial.Authority),
            ["permissions"] = new[] { "clipboardReadWrite", "clipboardSanitizedWrite" },
        });
        browser.Driver.Navigate().GoToUrl(page);
        await Eventually.TrueAsync(() => Task.FromResult(browser.Text("copy") is not null), TimeSpan.FromSeconds(20), "the copy button");
        browser.Driver.FindElement(OpenQA.Selenium.By.Id("copy")).Click();
        await Eventually.TrueAsync(() => Task.FromResult(browser.Text("copy") != "Copy"), TimeSpan.FromSeconds(10), "the copy button's script to run (the page's policy allows it by hash)");
        return browser.Text("copy") == "Copied"
            ? (string?)((OpenQA.Selenium.IJavaScriptExecutor)browser.Driver).ExecuteAsyncScript("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('refused: ' + e))")
            : (string?)((OpenQA.Selenium.IJavaScriptExecutor)browser.Driver).ExecuteScript("return getSelection().toString()");
    }

    /// <summary>A request as a TLS-terminating proxy on this machine sends it for <paramref name="client"/>: its status and body.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> ForwardedAsync(WebRelay web, string path, string client)
    {
        using var http = web.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", client);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "call.example.org");
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// A directory that looks like a NativeAOT build to the relay: s2cd and s2c-attach begin as ELF files do, with a
    /// library beside them; <paramref name="megabytes"/> of random bytes (which do not compress) make it large.
    /// </summary>
    internal static string StandInBuild(TempDirectory root, int megabytes)
    {
        var directory = root.Sub("standin-build-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var name in new[] { "s2cd", "s2c-attach" })
        {
            var path = Path.Combine(directory, name);
            File.WriteAllBytes(path, [.. "\u007fELF"u8, .. Encoding.ASCII.GetBytes($"stand-in {name}\n")]);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        var library = new byte[(megabytes * 1024 * 1024) + 16];
        RandomNumberGenerator.Fill(library);
        File.WriteAllBytes(Path.Combine(directory, "libstandin.so"), library);
        return directory;
    }

    /// <summary>The value a script gives <paramref name="name"/> (name='value').</summary>
    private static string Value(string script, string name) =>
        Regex.Match(script, $"^{name}='([^']*)'$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no {name} in the script:\n{script}");
}
