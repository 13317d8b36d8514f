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
        using var browser = HeadlessChromium.Start(root.Sub("chromium"));
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
}
