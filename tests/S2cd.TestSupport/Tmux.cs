using System.Diagnostics;

namespace S2cd.Tests.Support;

/// <summary>A tmux server of the test's own running one command in a pane of a given size: what a person would see.</summary>
internal sealed class Tmux : IDisposable
{
    private readonly string _server = "s2ct" + Guid.NewGuid().ToString("N")[..8];

    public static bool Available => File.Exists("/usr/bin/tmux");

    public void Start(int columns, int rows, string command, IDictionary<string, string>? environment = null)
    {
        var env = environment is null ? string.Empty : string.Join(' ', environment.Select(kv => $"{kv.Key}='{kv.Value}'"));
        Run("new-session", "-d", "-s", "main", "-x", columns.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture), $"env {env} {command}");
    }

    public string Capture() => Run("capture-pane", "-p", "-t", "main");

    /// <summary>The pane with its colours and attributes as escape sequences (what the program asked for).</summary>
    public string CaptureWithEscapes() => Run("capture-pane", "-p", "-e", "-t", "main");

    public string Query(string format) => Run("display-message", "-p", "-t", "main", format).Trim();

    public void SendKeys(string keys) => Run("send-keys", "-t", "main", keys);

    public void Resize(int columns, int rows) => Run("resize-window", "-t", "main", "-x", columns.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Polls the pane until <paramref name="match"/> accepts what it shows; returns that screen.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < within)
        {
            last = Capture();
            if (match(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"{what}: not seen within {within.TotalSeconds:0} s. The pane showed:\n{last}");
    }

    public void Dispose()
    {
        try
        {
            Run("kill-server");
        }
        catch (InvalidOperationException)
        {
        }
    }

    private string Run(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_server);
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add("/dev/null");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {error}");
        }

        return output;
    }
}
