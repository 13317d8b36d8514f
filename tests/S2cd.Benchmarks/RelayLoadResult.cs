using System.Diagnostics;
using S2cd.Benchmarks.Harness;

namespace S2cd.Benchmarks;

/// <summary>What one relay-load window measured: the load offered against what was asked, what arrived and when, and each measured process's cost.</summary>
internal sealed record RelayLoadResult(
    double AskedPerSecond,
    double OfferedPerSecond,
    double ForwardedPerSecond,
    double AudioInTimePercent,
    double VideoDeliveredPercent,
    long[] AllDelays,
    long[] AudioDelays,
    long AudioLost,
    IReadOnlyList<ProcessCost> Processes,
    int Joined,
    int Refused,
    int Closed)
{
    /// <summary>A delay quantile in milliseconds.</summary>
    public static double Quantile(long[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))] * 1000.0 / Stopwatch.Frequency;

    /// <summary>Refuses a window in which nothing was forwarded or the generator offered under 90% of the load asked of it.</summary>
    public RelayLoadResult MeasuredOrThrow(string what)
    {
        if (ForwardedPerSecond <= 0 || AllDelays.Length == 0)
        {
            throw new NothingMeasuredException($"{what}: the relay forwarded nothing ({Joined} links joined, {Refused} not let in, {Closed} closed)");
        }

        if (OfferedPerSecond < 0.9 * AskedPerSecond)
        {
            throw new NothingMeasuredException($"{what}: the load generator offered {OfferedPerSecond:N0} of the {AskedPerSecond:N0} messages/s asked of it ({100 * OfferedPerSecond / AskedPerSecond:0.0}%, under 90%): the figures would be of the generator, not the relay");
        }

        return this;
    }

    /// <summary>
    /// Adds the figures to <paramref name="table"/>. One process: its CPU, CPU per message and memory. Several (relays
    /// of a fabric and their NATS nodes), or <paramref name="combined"/>: CPU per message of each, then of all together,
    /// their CPU together and the highest memory of them.
    /// </summary>
    public void Report(Figures figures, string table, string row, bool combined = false)
    {
        figures.Add(table, row, "offered msg/s", OfferedPerSecond, "N0");
        figures.Add(table, row, "forwarded msg/s", ForwardedPerSecond, "N0");
        figures.Add(table, row, "audio within 100 ms", AudioInTimePercent, "0.00", "%");
        figures.Add(table, row, "video delivered", VideoDeliveredPercent, "0.0", "%");
        figures.Add(table, row, "delay p50", Quantile(AllDelays, 0.50), "0.00", "ms");
        figures.Add(table, row, "delay p99", Quantile(AllDelays, 0.99), "0.00", "ms");
        figures.Add(table, row, "audio lost", AudioLost, "N0");
        if (Processes.Count == 1 && !combined)
        {
            figures.Add(table, row, "relay CPU (one core)", Processes[0].CpuPercent, "0", "%");
            figures.Add(table, row, "relay µs per message", Processes[0].MicrosecondsPerMessage, "0.0");
            figures.Add(table, row, "relay memory", Processes[0].PeakResidentMb, "0", "MB");
        }
        else
        {
            if (Processes.Count > 1)
            {
                foreach (var process in Processes)
                {
                    figures.Add(table, row, $"{process.Name} µs per message", process.MicrosecondsPerMessage, "0.0");
                }
            }

            figures.Add(table, row, "all together µs per message", Processes.Sum(p => p.MicrosecondsPerMessage), "0.0");
            figures.Add(table, row, "all together CPU (one core)", Processes.Sum(p => p.CpuPercent), "0", "%");
            figures.Add(table, row, "memory (largest process)", Processes.Max(p => p.PeakResidentMb), "0", "MB");
        }

        figures.Add(table, row, "links closed", Closed, "0");
    }
}

/// <summary>One measured process over the window: CPU as a share of one core, CPU per forwarded message, peak resident memory.</summary>
internal sealed record ProcessCost(string Name, double CpuPercent, double MicrosecondsPerMessage, double PeakResidentMb);
