using System.Diagnostics;

namespace S2cd.Tests.Support;

/// <summary>Runs the real s2c-attach as a separate process, as a user or script would.</summary>
internal static class AttachRunner
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? socket, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DaemonProcess.AttachPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (socket is not null)
        {
            info.Environment["S2CD_SOCKET"] = socket;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
