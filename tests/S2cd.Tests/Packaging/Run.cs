using System.Diagnostics;

namespace S2cd.Tests.Packaging;

/// <summary>Runs a program to its end and returns what it printed.</summary>
internal static class Run
{
    public static async Task<(int ExitCode, string Output)> ProgramAsync(string program, params string[] args) =>
        await ProgramWithEnvironmentAsync(program, null, args);

    public static async Task<(int ExitCode, string Output)> ProgramWithEnvironmentAsync(string program, IDictionary<string, string>? environment, params string[] args)
    {
        // Standard input is the child's own, closed at once: a child never reads from (or holds) the test process's,
        // which the test runner uses to talk to it.
        var info = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The repository's root: the folder above the test binaries that holds s2cd.sln.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "s2cd.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("s2cd.sln not found above " + AppContext.BaseDirectory);
    }
}
