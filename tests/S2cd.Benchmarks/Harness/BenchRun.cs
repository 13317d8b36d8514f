using System.Diagnostics;
using System.Globalization;

namespace S2cd.Benchmarks.Harness;

/// <summary>
/// Runs a benchmark's rounds itself (<c>--runs N</c>, default 3) and prints each figure as min–max over them, under a
/// first line that says when, at which commit and on how many cores; <c>--markdown</c> prints the benchmark page's tables
/// (what each round says on the way goes to stderr then). A round that measured nothing ends the benchmark with
/// exit code 3 and the reason.
/// </summary>
internal static class BenchRun
{
    public const int NothingMeasured = 3;

    public static async Task<int> RunAsync(string command, string[] args, Func<Figures, int, Task> round)
    {
        var runs = BenchArgs.Int(args, "--runs", 3, 1, 100);
        var markdown = BenchArgs.Flag(args, "--markdown");
        var shown = string.Join(' ', args.Where(a => a != "--markdown"));
        var stdout = Console.Out;
        stdout.WriteLine(Header($"s2cd-bench {command}{(shown.Length > 0 ? " " + shown : string.Empty)}", runs, markdown));
        stdout.WriteLine();
        var figures = new Figures();
        if (markdown)
        {
            Console.SetOut(Console.Error);
        }

        try
        {
            for (var r = 1; r <= runs; r++)
            {
                Console.WriteLine($"-- {command}: round {r} of {runs}");
                try
                {
                    await round(figures, r).ConfigureAwait(false);
                }
                catch (NothingMeasuredException ex)
                {
                    var line = $"s2cd-bench {command}: measured nothing in round {r}: {ex.Message}";
                    Console.Error.WriteLine(line);
                    stdout.WriteLine(markdown ? $"**{line}**" : line);
                    return NothingMeasured;
                }
            }
        }
        finally
        {
            Console.SetOut(stdout);
        }

        figures.Write(stdout, markdown);
        return 0;
    }

    /// <summary>The command, the date, the commit (with "+changes" when the tree differs from it), the cores and the rounds.</summary>
    public static string Header(string command, int runs, bool markdown)
    {
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var what = $"{date}, commit {Commit()}, {Environment.ProcessorCount} cores, {runs} round{(runs == 1 ? string.Empty : "s")}, min–max over the rounds";
        return markdown ? $"`{command}` — {what}" : $"{command} — {what}";
    }

    /// <summary>
    /// The commit this benchmark was built from (the SDK writes it into the informational version), with "+changes"
    /// when it runs from a checkout whose tracked files differ from that commit.
    /// </summary>
    private static string Commit()
    {
        var version = typeof(BenchRun).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion;
        var plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        var built = plus >= 0 && version!.Length >= plus + 8 ? version.Substring(plus + 1, 7) : Git("rev-parse --short HEAD");
        if (built is null)
        {
            return "unknown";
        }

        return Git("rev-parse --git-dir") is not null && Git($"diff --quiet {built} --") is null ? $"{built}+changes" : built;
    }

    /// <summary>The checkout the benchmark was built in, or (for a copy of the build run elsewhere) the one it runs in.</summary>
    private static readonly Lazy<string> Checkout = new(() =>
        new[] { AppContext.BaseDirectory, Environment.CurrentDirectory }.FirstOrDefault(d => GitIn(d, "rev-parse --git-dir") is not null) ?? AppContext.BaseDirectory);

    private static string? Git(string arguments) => GitIn(Checkout.Value, arguments);

    private static string? GitIn(string directory, string arguments)
    {
        try
        {
            var info = new ProcessStartInfo("git", $"-C \"{directory}\" {arguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var git = Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
