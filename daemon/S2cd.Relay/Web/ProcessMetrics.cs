using Prometheus;

namespace S2cd.Relay.Web;

/// <summary>
/// The process's CPU, memory, threads and collections in the Prometheus text format, read as cheaply as the kernel
/// allows (getrusage, one read of /proc/self/stat): prometheus-net's own process collector walks every thread and
/// file descriptor of the process on each scrape, which with hundreds of connections cost the relay's forwarding a
/// tenth of a core at 20 scrapes a second.
/// </summary>
internal sealed class ProcessMetrics
{
    private readonly Counter _cpu;
    private readonly Gauge _resident;
    private readonly Gauge _threads;
    private readonly Gauge _managed;
    private readonly Counter _collections;

    public ProcessMetrics(MetricFactory factory)
    {
        _cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        _resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
        _threads = factory.CreateGauge("process_num_threads", "Number of OS threads in the process.");
        _managed = factory.CreateGauge("dotnet_total_memory_bytes", "Bytes of the managed heap in use.");
        _collections = factory.CreateCounter("dotnet_collection_count_total", "Garbage collections, by generation.", "generation");
        factory.CreateGauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.")
            .Set((System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds);
    }

    /// <summary>Reads the process's figures into the registry, just before a scrape.</summary>
    public void Update()
    {
        _cpu.IncTo(Environment.CpuUsage.TotalTime.TotalSeconds);
        if (ProcessStat() is { } stat)
        {
            _resident.Set(stat.ResidentPages * (double)Environment.SystemPageSize);
            _threads.Set(stat.Threads);
        }

        _managed.Set(GC.GetTotalMemory(forceFullCollection: false));
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            _collections.WithLabels(generation.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(GC.CollectionCount(generation));
        }
    }

    /// <summary>Threads (field 20) and resident pages (field 24) from /proc/self/stat, or null where it cannot be read.</summary>
    private static (long Threads, long ResidentPages)? ProcessStat()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");

            // The command name (field 2) may hold spaces and parentheses: the fields that follow start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[17], System.Globalization.CultureInfo.InvariantCulture), long.Parse(fields[21], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
