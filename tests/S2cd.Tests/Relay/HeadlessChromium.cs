using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace S2cd.Tests.Relay;

/// <summary>Headless Chromium and its driver, both from Debian (chromium, chromium-driver): nothing is downloaded.</summary>
internal sealed class HeadlessChromium : IDisposable
{
    private HeadlessChromium(ChromeDriver driver) => Driver = driver;

    public ChromeDriver Driver { get; }

    public static HeadlessChromium Start(string profile)
    {
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,800", $"--user-data-dir={profile}");
        return new HeadlessChromium(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)));
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
