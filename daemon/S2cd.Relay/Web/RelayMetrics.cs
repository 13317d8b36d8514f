using Prometheus;
using S2cd.Wire;

namespace S2cd.Relay.Web;

/// <summary>
/// The relay's figures in the Prometheus text format (prometheus-net), for <c>/metrics</c>. Nothing here is on the
/// forwarding path: the relay keeps its own counters (one interlocked add per forwarded message, as before), and
/// they are read into the registry when Prometheus scrapes, in <see cref="Update"/>. The process's CPU and memory
/// are read as cheaply as the kernel allows (getrusage, one read of /proc/self/stat): prometheus-net's own process
/// collector walks every thread and file descriptor of the process on each scrape, which with hundreds of
/// connections cost the relay's forwarding a tenth of a core at 20 scrapes a second.
/// </summary>
internal sealed class RelayMetrics
{
    private static readonly (MediaKind Kind, string Label)[] Kinds = [(MediaKind.Audio, "audio"), (MediaKind.Video, "video")];
    private readonly RelayServer _relay;
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly Gauge _sessions;
    private readonly Gauge _members;
    private readonly Gauge _connections;
    private readonly Gauge _load;
    private readonly Gauge _busy;
    private readonly Counter _forwardedMessages;
    private readonly Counter _forwardedBytes;
    private readonly Counter _dropped;
    private readonly Counter _refused;
    private readonly Counter _tlsFailed;
    private readonly Counter _datagrams;
    private readonly Counter _cpu;
    private readonly Gauge _resident;
    private readonly Gauge _threads;
    private readonly Gauge _managed;
    private readonly Counter _collections;
    private readonly Gauge? _fabricConnected;
    private readonly Counter? _fabric;

    public RelayMetrics(RelayServer relay)
    {
        _relay = relay;
        var factory = Metrics.WithCustomRegistry(_registry);
        _cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        _resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
        _threads = factory.CreateGauge("process_num_threads", "Number of OS threads in the process.");
        _managed = factory.CreateGauge("dotnet_total_memory_bytes", "Bytes of the managed heap in use.");
        _collections = factory.CreateCounter("dotnet_collection_count_total", "Garbage collections, by generation.", "generation");
        factory.CreateGauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.")
            .Set((System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds);
        _sessions = factory.CreateGauge("s2c_relay_sessions", "Sessions on this relay.");
        _members = factory.CreateGauge("s2c_relay_members", "Members connected to this relay, in all its sessions.");
        _connections = factory.CreateGauge("s2c_relay_connections", "Open connections to the relay's port, joined or not.");
        _load = factory.CreateGauge("s2c_relay_load_percent", "The relay's CPU in percent of all cores, as it measures it for Relay:MaxLoad.");
        _busy = factory.CreateGauge("s2c_relay_busy", "1 while the relay is past Relay:MaxLoad and refuses new joins.");
        _forwardedMessages = factory.CreateCounter("s2c_relay_forwarded_messages_total", "Media messages forwarded, one per receiver.", "kind");
        _forwardedBytes = factory.CreateCounter("s2c_relay_forwarded_bytes_total", "Bytes of media payload forwarded, counted per receiver.", "kind");
        _dropped = factory.CreateCounter(
            "s2c_relay_dropped_messages_total",
            "Media messages dropped, by reason: queue_full, too_old (audio past Relay:AudioMaxAgeMilliseconds, video past three times that), replaced (a newer video frame of the same sender), rate_limit (over Relay:MaxBytesPerSecondPerSender), overload (video thinned past Relay:MaxLoad), invalid_datagram.",
            "reason");
        _refused = factory.CreateCounter("s2c_relay_refused_connections_total", "Connections refused or failed, by cause: tls_handshake_failed, join_refused, no_hello_in_time, invalid_frame, connection_failed.", "cause");
        _tlsFailed = factory.CreateCounter("s2c_relay_tls_handshakes_failed_total", "TLS handshakes that failed.");
        _datagrams = factory.CreateCounter("s2c_relay_datagrams_received_total", "UDP datagrams received on the relay's port.");
        if (relay.Options.Fabric is null)
        {
            _registry.AddBeforeCollectCallback(Update);
            return;
        }

        _fabricConnected = factory.CreateGauge("s2c_relay_fabric_connected", "1 while the relay is connected to its NATS fabric.");
        _fabric = factory.CreateCounter("s2c_relay_fabric_messages_total", "Messages on the NATS fabric: published, received, rejected (did not open under the fabric key), dropped (by the NATS client).", "direction");
        _registry.AddBeforeCollectCallback(Update);
    }

    public Task ExportAsync(Stream stream, CancellationToken cancellationToken) =>
        _registry.CollectAndExportAsTextAsync(stream, cancellationToken);

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

    /// <summary>A cause as a label value: "TLS handshake failed" is tls_handshake_failed.</summary>
    private static string Label(string cause) => cause.ToLowerInvariant().Replace(' ', '_');

    /// <summary>Reads the relay's counters into the registry, just before a scrape.</summary>
    private void Update()
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

        _sessions.Set(_relay.SessionCount);
        _members.Set(_relay.MemberCount);
        _connections.Set(_relay.ConnectionCount);
        _load.Set(_relay.Overload.Load);
        _busy.Set(_relay.Overload.Busy ? 1 : 0);
        foreach (var (kind, label) in Kinds)
        {
            var (messages, bytes) = _relay.Counters.ForwardedOf(kind);
            _forwardedMessages.WithLabels(label).IncTo(messages);
            _forwardedBytes.WithLabels(label).IncTo(bytes);
        }

        var (full, stale, replaced) = _relay.QueueDropReasons;
        _dropped.WithLabels("queue_full").IncTo(full);
        _dropped.WithLabels("too_old").IncTo(stale);
        _dropped.WithLabels("replaced").IncTo(replaced);
        _dropped.WithLabels("rate_limit").IncTo(_relay.RateLimited);
        _dropped.WithLabels("overload").IncTo(_relay.Overload.VideoShed);
        _dropped.WithLabels("invalid_datagram").IncTo(_relay.Datagrams?.Rejected ?? 0);
        _datagrams.IncTo(_relay.Datagrams?.Received ?? 0);
        foreach (var cause in ConnectionProblems.Causes)
        {
            _refused.WithLabels(Label(cause)).IncTo(_relay.Problems.Total(cause));
        }

        _tlsFailed.IncTo(_relay.Problems.Total(ConnectionProblems.TlsHandshakeFailed));
        if (_fabricConnected is not null && _fabric is not null)
        {
            var fabric = _relay.Fabric;
            _fabricConnected.Set(fabric?.Connected == true ? 1 : 0);
            if (fabric is null)
            {
                return;
            }

            _fabric.WithLabels("published").IncTo(fabric.Published);
            _fabric.WithLabels("received").IncTo(fabric.Received);
            _fabric.WithLabels("rejected").IncTo(fabric.Rejected);
            _fabric.WithLabels("dropped").IncTo(fabric.Dropped);
        }
    }
}
