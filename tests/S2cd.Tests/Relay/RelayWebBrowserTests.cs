using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using S2cd.Tests.Support;

namespace S2cd.Tests.Relay;

/// <summary>
/// The session-link page in a real browser: Debian's headless Chromium driven by Selenium WebDriver through Debian's
/// chromedriver. A person makes a session on the page, copies the command it shows into a terminal, and sees the
/// session's page count them. The last screenshot is kept in artifacts/ at the top of the repository.
/// </summary>
public sealed class RelayWebBrowserTests
{
    [Fact(Timeout = 180_000)]
    public async Task InChromium_MakeASession_RunTheShownCommand_AndTheSessionPageCountsOneMember()
    {
        using var root = new TempDirectory();
        await using var web = await WebRelay.StartAsync(root);
        await using var alice = await DaemonProcess.StartParticipantAsync(root, "alice", web.RelayAddress, "--Audio:Enabled", "false", "--Video:Fps", "2");
        using var browser = Browser.Start(root.Sub("chromium"));
        try
        {
            browser.Driver.Navigate().GoToUrl(web.Web);
            Assert.Equal("Start a call · s2c relay", browser.Driver.Title);
            browser.Driver.FindElement(By.Id("session")).SendKeys("browser-made");
            browser.Driver.FindElement(By.Id("make")).Click();

            // The form's answer is a redirect the browser follows on its own time: wait for the page it leads to.
            await Eventually.TrueAsync(() => Task.FromResult(browser.Driver.Url.EndsWith("/s/browser-made", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the session's page");
            await Eventually.TrueAsync(() => Task.FromResult(browser.Text("command") is not null), TimeSpan.FromSeconds(20), "the command on the page");
            var command = browser.Text("command");
            Assert.Equal($"s2c-attach join browser-made --relay {web.RelayAddress} --relay-fingerprint {web.Fingerprint}", command);
            Assert.Equal("Nobody is in it yet.", browser.Text("members"));

            // The command as shown, in a terminal of alice's machine.
            var (code, stdout, stderr) = await AttachRunner.RunAsync(alice.SocketPath, [.. command!.Split(' ')[1..], "--detach"]);
            Assert.True(code == 0, stderr);
            Assert.Contains("Joined browser-made", stdout, StringComparison.Ordinal);

            browser.Driver.FindElement(By.LinkText("Refresh")).Click();
            await Eventually.TrueAsync(() => Task.FromResult(browser.Text("members") == "1 member is in it now."), TimeSpan.FromSeconds(20), "the page counting alice");
        }
        finally
        {
            browser.Screenshot("relay-web-session.png");
        }
    }

    /// <summary>Headless Chromium and its driver, both from Debian (chromium, chromium-driver): nothing is downloaded.</summary>
    private sealed class Browser : IDisposable
    {
        private Browser(ChromeDriver driver) => Driver = driver;

        public ChromeDriver Driver { get; }

        public static Browser Start(string profile)
        {
            var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
            service.SuppressInitialDiagnosticInformation = true;
            service.HideCommandPromptWindow = true;
            var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,800", $"--user-data-dir={profile}");
            return new Browser(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
        }

        /// <summary>The text of the element of id <paramref name="id"/> on the page now, or null while it is not there (the page still loading).</summary>
        public string? Text(string id)
        {
            try
            {
                return Driver.FindElement(By.Id(id)).Text;
            }
            catch (Exception ex) when (ex is NoSuchElementException or StaleElementReferenceException)
            {
                return null;
            }
        }

        /// <summary>Saves what the browser shows to artifacts/<paramref name="file"/> in the repository.</summary>
        public void Screenshot(string file)
        {
            var directory = Path.Combine(Packaging.Run.RepositoryRoot(), "artifacts");
            Directory.CreateDirectory(directory);
            Driver.GetScreenshot().SaveAsFile(Path.Combine(directory, file));
        }

        public void Dispose()
        {
            Driver.Quit();
            Driver.Dispose();
        }
    }
}
