using System.Diagnostics;

namespace S2cd.Tests.Support;

/// <summary>Runs the real s2c-attach as a separate process, as a user or script would.</summary>
internal static class AttachRunner
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? socket, params string[] args) =>
        RunWithInputAsync(socket, null, args);

    /// <summary>Runs s2c-attach with <paramref name="input"/> on its standard input (a pipe; empty when none is given).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithInputAsync(string? socket, string? input, params string[] args)
    {
        var (program, prefix) = DaemonProcess.AttachProgram;
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Always its own standard input (empty, when none is given): never the test process's, which the runner uses.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        if (socket is not null)
        {
            info.Environment["S2CD_SOCKET"] = socket;
        }

        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
        }

        process.StandardInput.Close();

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
