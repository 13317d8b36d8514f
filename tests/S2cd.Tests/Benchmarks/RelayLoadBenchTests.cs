using System.Diagnostics;
using System.Text.RegularExpressions;
using S2cd.Tests.Support;

namespace S2cd.Tests.Benchmarks;

/// <summary>
/// `s2cd-bench relay-load` as someone runs it by hand: it reports links the relay did not let in instead of
/// crashing, and its relay process never outlives it, whether it ends by itself or by a signal.
/// </summary>
public sealed partial class RelayLoadBenchTests
{
    private static string BenchPath =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "S2cd.Benchmarks", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "s2cd-bench.dll"));

    [Fact(Timeout = 120_000)]
    public async Task LinksTheRelayRefuses_AreCountedWithTheirReason_AndItsRelayIsGoneAfterwards()
    {
        Assert.True(File.Exists(BenchPath), $"s2cd-bench is built with the solution: {BenchPath}");
        using var bench = Start("relay-load", "--sessions", "3", "--participants", "2", "--seconds", "2", "--warmup", "1", "--max-connections", "4");
        var output = await bench.StandardOutput.ReadToEndAsync();
        await bench.WaitForExitAsync();
        Assert.True(bench.ExitCode == 0, output + await bench.StandardError.ReadToEndAsync());
        Assert.Contains("4 joined, 2 not let in", output, StringComparison.Ordinal);
        Assert.False(IsRunning(RelayPid(output)), "the relay outlived the benchmark");
    }

    [Fact(Timeout = 120_000)]
    public async Task ABenchmarkStoppedBySigterm_TakesItsRelayWithIt()
    {
        using var bench = Start("relay-load", "--sessions", "2", "--participants", "2", "--seconds", "60");
        var first = await bench.StandardOutput.ReadLineAsync() ?? string.Empty;
        var relay = RelayPid(first);
        Assert.True(IsRunning(relay));
        _ = Interop.kill(bench.Id, 15);
        await bench.WaitForExitAsync();
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
