using Prometheus;
using S2cd.Wire;

namespace S2cd.Relay.Web;

/// <summary>
/// The relay's figures in the Prometheus text format (prometheus-net), for <c>/metrics</c>. Nothing here is on the
/// forwarding path: the relay keeps its own counters (one interlocked add per forwarded message, as before), and
/// they are read into the registry when Prometheus scrapes, in <see cref="Update"/>; the process's own figures come
/// from <see cref="ProcessMetrics"/>.
/// </summary>
internal sealed class RelayMetrics
{
    private static readonly (MediaKind Kind, string Label)[] Kinds = [(MediaKind.Audio, "audio"), (MediaKind.Video, "video"), (MediaKind.Text, "text"), (MediaKind.Screen, "screen")];
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
    private readonly ProcessMetrics _process;
    private readonly FabricMetrics? _fabric;

    public RelayMetrics(RelayServer relay, JoinDownloads? downloads = null)
    {
        _relay = relay;
        var factory = Metrics.WithCustomRegistry(_registry);
        _process = new ProcessMetrics(factory);
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
        _fabric = relay.Options.Fabric is null ? null : new FabricMetrics(factory);
        _registry.AddBeforeCollectCallback(Update);
        if (downloads is not null)
        {
            _registry.AddBeforeCollectCallback(new DownloadMetrics(factory, downloads).Update);
        }
    }

    public Task ExportAsync(Stream stream, CancellationToken cancellationToken) =>
        _registry.CollectAndExportAsTextAsync(stream, cancellationToken);

    /// <summary>A cause as a label value: "TLS handshake failed" is tls_handshake_failed.</summary>
    private static string Label(string cause) => cause.ToLowerInvariant().Replace(' ', '_');

    /// <summary>Reads the relay's counters into the registry, just before a scrape.</summary>
    private void Update()
    {
        _process.Update();

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
        _dropped.WithLabels("text_limit").IncTo(_relay.Counters.TextRefused);
        _dropped.WithLabels("overload").IncTo(_relay.Overload.VideoShed);
        _dropped.WithLabels("invalid_datagram").IncTo(_relay.Datagrams?.Rejected ?? 0);
        _datagrams.IncTo(_relay.Datagrams?.Received ?? 0);
        foreach (var cause in ConnectionProblems.Causes)
        {
            _refused.WithLabels(Label(cause)).IncTo(_relay.Problems.Total(cause));
        }

        _tlsFailed.IncTo(_relay.Problems.Total(ConnectionProblems.TlsHandshakeFailed));
        _fabric?.Update(_relay.Fabric);
    }
}

/// <summary>A relay's fabric in the Prometheus text format: whether it is connected, and its messages by direction.</summary>
internal sealed class FabricMetrics(MetricFactory factory)
{
    private readonly Gauge _connected = factory.CreateGauge("s2c_relay_fabric_connected", "1 while the relay is connected to its NATS fabric.");
    private readonly Counter _messages = factory.CreateCounter("s2c_relay_fabric_messages_total", "Messages on the NATS fabric: published, received, rejected (did not open under the fabric key), dropped (by the NATS client).", "direction");

    public void Update(Fabric.RelayFabric? fabric)
    {
        _connected.Set(fabric?.Connected == true ? 1 : 0);
        if (fabric is null)
        {
            return;
        }

        _messages.WithLabels("published").IncTo(fabric.Published);
        _messages.WithLabels("received").IncTo(fabric.Received);
        _messages.WithLabels("rejected").IncTo(fabric.Rejected);
        _messages.WithLabels("dropped").IncTo(fabric.Dropped);
    }
}
