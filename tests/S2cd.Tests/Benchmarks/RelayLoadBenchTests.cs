using System.Diagnostics;
using System.Text.RegularExpressions;
using S2cd.Tests.Support;

namespace S2cd.Tests.Benchmarks;

/// <summary>
/// `s2cd-bench relay-load` as someone runs it by hand: it runs its own rounds and prints each figure as a range under
/// a line that says when, at which commit and on how many cores; it reports links the relay did not let in instead of
/// crashing, and refuses (exit 3) to give figures of a load the generator did not offer; its relay process never
/// outlives it, whether it ends by itself or by a signal.
/// </summary>
public sealed partial class RelayLoadBenchTests
{
    private static string BenchPath =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "S2cd.Benchmarks", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "s2cd-bench.dll"));

    [Fact(Timeout = 60_000)]
    public async Task Rounds_PrintEachFigureAsARange_UnderTheDateCommitAndCores()
    {
        Assert.True(File.Exists(BenchPath), $"s2cd-bench is built with the solution: {BenchPath}");
        using var bench = Start("relay-load", "--sessions", "2", "--participants", "2", "--seconds", "1", "--warmup", "0", "--runs", "2");
        var output = await bench.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bench.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(bench.ExitCode == 0, output + await bench.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        var header = output.Split('\n')[0];
        Assert.Matches(@"^s2cd-bench relay-load .* — \d{4}-\d\d-\d\d \d\d:\d\d UTC, commit [0-9a-f]{7,}(\+changes)?, \d+ cores, 2 rounds", header);
        Assert.Equal(2, Regex.Matches(output, "relay pid ").Count);
        Assert.Matches(@"2 × 2, TLS +\d+(–\d+)? +\d", output);
        Assert.Matches(@"delay p99", output);
    }

    [Fact(Timeout = 60_000)]
    public async Task LinksTheRelayRefuses_AreCountedWithTheirReason_TheShortLoadIsRefused_AndItsRelayIsGoneAfterwards()
    {
        Assert.True(File.Exists(BenchPath), $"s2cd-bench is built with the solution: {BenchPath}");
        using var bench = Start("relay-load", "--sessions", "3", "--participants", "2", "--seconds", "2", "--warmup", "1", "--max-connections", "4", "--runs", "1");
        var output = await bench.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bench.WaitForExitAsync(TestContext.Current.CancellationToken);
        var error = await bench.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(bench.ExitCode == 3, $"exit {bench.ExitCode}: {output}{error}");
        Assert.Contains("4 joined, 2 not let in", output, StringComparison.Ordinal);
        Assert.Matches(@"measured nothing in round 1: .*offered \d+ of the 390 messages/s asked of it .*under 90%", output);
        Assert.False(IsRunning(RelayPid(output)), "the relay outlived the benchmark");
    }

    [Fact(Timeout = 120_000)]
    public async Task ABenchmarkStoppedBySigterm_TakesItsRelayWithIt()
    {
        using var bench = Start("relay-load", "--sessions", "2", "--participants", "2", "--seconds", "60");
        var line = string.Empty;
        while (!line.Contains("relay pid ", StringComparison.Ordinal))
        {
            line = await bench.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) ?? throw new InvalidOperationException("the benchmark ended before its relay started");
        }

        var relay = RelayPid(line);
        Assert.True(IsRunning(relay));
        _ = Interop.kill(bench.Id, 15);
        await bench.WaitForExitAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => Task.FromResult(!IsRunning(relay)), TimeSpan.FromSeconds(10), "the relay gone with the benchmark");
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(BenchPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    private static int RelayPid(string output) => int.Parse(RelayPidPattern().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsRunning(int pid) => File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);

    [GeneratedRegex(@"relay pid (\d+)")]
    private static partial Regex RelayPidPattern();
}
