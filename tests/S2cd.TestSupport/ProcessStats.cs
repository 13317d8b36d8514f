using System.Globalization;

namespace S2cd.Tests.Support;

/// <summary>CPU time and resident memory of a process, from /proc.</summary>
internal static class ProcessStats
{
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>Resident memory in two parts: anonymous (the heaps: what the process made) and file-backed (its program and libraries, pages it read).</summary>
    public static (long Anonymous, long Files) ResidentParts(int pid)
    {
        long anonymous = 0, files = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anonymous = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                files = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return (anonymous, files);
    }

    /// <summary>The highest resident memory of <paramref name="pid"/> sampled every 100 ms over <paramref name="over"/>.</summary>
    public static async Task<long> PeakResidentAsync(int pid, TimeSpan over, CancellationToken cancellationToken = default)
    {
        var peak = 0L;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < over)
        {
            peak = Math.Max(peak, ResidentBytes(pid));
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return peak;
    }
}
