using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace S2cd.Relay.Fabric;

/// <summary>
/// The relay's link to its fabric, a NATS cluster shared with other relays: one connection (NATS fails over
/// between the servers given), one subscription per session that has members here, and a tick every second that
/// sends each session's list of local members (the relays' liveness) and takes out the members of relays gone
/// silent. Media is cascaded: a local member's frame is published once, and each other relay with members in the
/// session receives it once and fans it out to them. A subscriber that falls behind drops messages, counted and
/// logged, and never holds a session up.
/// </summary>
internal sealed partial class RelayFabric : IAsyncDisposable
{
    private readonly NatsConnection _nats;
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly FabricTags _tags;
    private ITimer? _tick;
    private Task _tagReading = Task.CompletedTask;
    private long _dropped;
    private long _rejected;
    private long _published;
    private long _received;

    private RelayFabric(NatsConnection nats, byte[] key, TimeProvider time, ILogger logger)
    {
        _nats = nats;
        _key = key;
        _time = time;
        _logger = logger;
        _tags = new FabricTags(key, Node, Publish, time, new Random());
        _tags.Retagged += (old, @new) => LogRetagged(old, @new);
        _nats.ConnectionDisconnected += (_, _) =>
        {
            LogDisconnected();
            return ValueTask.CompletedTask;
        };
        _nats.ConnectionOpened += (_, _) =>
        {
            LogReconnected(_nats.ServerInfo?.Name ?? "?");
            return ValueTask.CompletedTask;
        };
        _nats.MessageDropped += (_, _) =>
        {
            if (Interlocked.Increment(ref _dropped) % 100 == 1)
            {
                LogDropped(Interlocked.Read(ref _dropped));
            }

            return ValueTask.CompletedTask;
        };
    }

    /// <summary>This relay on the fabric: random per start, so a restarted relay is a new one to the others.</summary>
    public ulong Node { get; } = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>Messages the NATS client dropped because a session's subscription fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages that did not open under the fabric's key or did not parse.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public long Published => Interlocked.Read(ref _published);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>This relay's tag, held by no other relay of the fabric: the top bits of its member ids.</summary>
    public uint Tag => _tags.Tag;

    /// <summary>Whether the NATS connection is up now.</summary>
    public bool Connected => _nats.ConnectionState == NatsConnectionState.Open;

    /// <summary>
    /// Connects to the fabric; throws <see cref="InvalidOperationException"/> with one line that says why it
    /// cannot (no server reachable, credentials refused).
    /// </summary>
    public static async Task<RelayFabric> ConnectAsync(FabricLogin login, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var auth = NatsAuthOpts.Default with
        {
            Username = login.User,
            Password = login.Password,
            Token = login.Token,
            CredsFile = login.Credentials,
        };

        // A private CA and a client certificate, when the cluster asks for them; without, tls:// URLs are checked
        // against the system's CAs.
        var tls = login.Ca is null && login.Certificate is null
            ? NatsTlsOpts.Default
            : NatsTlsOpts.Default with { CaFile = login.Ca, CertFile = login.Certificate, KeyFile = login.CertificateKey, Mode = TlsMode.Require };
        var nats = new NatsConnection(NatsOpts.Default with
        {
            Url = login.Servers,
            Name = "s2c-relay",
            AuthOpts = auth,
            TlsOpts = tls,
            Echo = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(500),
            SubPendingChannelFullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest,
        });
        try
        {
            await nats.ConnectAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            await nats.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the relay cannot join its fabric {login.Servers}: {Reason(ex, login)}");
        }

        var fabric = new RelayFabric(nats, Convert.FromBase64String(login.Key), time, logger);
        try
        {
            await fabric.ClaimTagAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await fabric.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        fabric._tick = time.CreateTimer(_ => fabric.Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        LogConnected(logger, login.Servers, fabric.Node, fabric.Tag);
        return fabric;
    }

    /// <summary>
    /// The session on the fabric: subscribed when the first local member joins. <paramref name="events"/> gets what
    /// the other relays tell of it.
    /// </summary>
    public FabricSession Open(string name, IFabricSessionEvents events, Func<Wire.WireMember[]> localMembers)
    {
        var entry = _sessions.GetOrAdd(name, n =>
        {
            var session = new FabricSession(_key, n, Node, Publish, events, _time);
            var created = new Entry(session, localMembers);
            created.Reading = ReadAsync(created, _stop.Token);
            return created;
        });
        return entry.Session;
    }

    /// <summary>The session has no members here any more: its subscription ends.</summary>
    public void Close(string name)
    {
        if (_sessions.TryRemove(name, out var entry))
        {
            entry.Session.PublishState([]);
            entry.Stop.Cancel();

            // Its keys go once its reader has stopped using them.
            _ = entry.Reading.ContinueWith(_ => entry.Session.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tick?.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _tagReading.ConfigureAwait(false);
        _tags.Dispose();
        foreach (var entry in _sessions.Values)
        {
            entry.Session.Dispose();
        }

        await _nats.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static string Reason(Exception ex, FabricLogin login)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is NatsServerException { IsAuthError: true })
            {
                return "authorization refused (Relay:FabricUser/FabricPassword, FabricToken or FabricCredentials)";
            }

            if (e is System.Security.Authentication.AuthenticationException)
            {
                return $"TLS failed: {e.Message.TrimEnd('.')} (Relay:FabricCa names the CA that signed the servers' certificates; Relay:FabricCertificate and FabricCertificateKey the relay's own, when the cluster asks for one)";
            }
        }

        if (ex is TimeoutException)
        {
            return "no NATS server answered within 10 s";
        }

        // A server that verifies its clients closes the connection on one that shows no certificate.
        var tls = login.Ca is not null || login.Servers.Contains("tls://", StringComparison.Ordinal);
        var hint = tls && login.Certificate is null ? " (a cluster that verifies its clients needs Relay:FabricCertificate and FabricCertificateKey)" : string.Empty;
        return (ex.InnerException ?? ex).Message.Split('\n')[0].TrimEnd('.') + hint;
    }

    /// <summary>Listens on the fabric's tag subject for good, then claims a tag for this relay.</summary>
    private async Task ClaimTagAsync(CancellationToken cancellationToken)
    {
        var subscription = await _nats.SubscribeCoreAsync<byte[]>(_tags.Subject, cancellationToken: _stop.Token).ConfigureAwait(false);
        _tagReading = ReadTagsAsync(subscription);
        await _tags.ClaimAsync(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadTagsAsync(INatsSub<byte[]> subscription)
    {
        try
        {
            await foreach (var message in subscription.Msgs.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                if (message.Data is not { } data || !_tags.OnMessage(data))
                {
                    Interlocked.Increment(ref _rejected);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is NatsException or ObjectDisposedException)
        {
            LogSubscriptionEnded(ex.Message);
        }
        finally
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Publish(string subject, byte[] data)
    {
        Interlocked.Increment(ref _published);
        var pending = _nats.PublishAsync(subject, data, cancellationToken: _stop.Token);
        if (!pending.IsCompletedSuccessfully)
        {
            _ = Observe(pending);
        }
    }

    private async Task Observe(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or ObjectDisposedException)
        {
            // While NATS reconnects a publication may be lost: media is latest-wins anyway, and presence is
            // repeated in full every second.
        }
    }

    private async Task ReadAsync(Entry entry, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, entry.Stop.Token);
        try
        {
            await using var subscription = await _nats.SubscribeCoreAsync<byte[]>(entry.Session.Subject, cancellationToken: linked.Token).ConfigureAwait(false);

            // Subscribed: now the others' answers to "who is there" reach us.
            entry.Session.PublishQuery();
            await foreach (var message in subscription.Msgs.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _received);
                if (message.Data is not { } data || !entry.Session.OnMessage(data))
                {
                    Interlocked.Increment(ref _rejected);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is NatsException or ObjectDisposedException)
        {
            LogSubscriptionEnded(ex.Message);
        }
    }

    /// <summary>Every second: each session's local members (liveness and the full picture), and the silent relays out.</summary>
    private void Tick()
    {
        _tags.Tick();
        foreach (var entry in _sessions.Values)
        {
            try
            {
                entry.Session.PublishState(entry.LocalMembers());
                entry.Session.Expire();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogTickFailed(ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = RelayLogEvents.Connected, Level = LogLevel.Information, Message = "The relay joined its fabric {Fabric} as node {Node:x16}, tag {Tag}")]
    private static partial void LogConnected(ILogger logger, string fabric, ulong node, uint tag);

    [LoggerMessage(EventId = RelayLogEvents.Retagged, Level = LogLevel.Warning, Message = "Another relay of the fabric holds tag {Old} too (the fabric was split); new members here get tag {New}")]
    private partial void LogRetagged(uint old, uint @new);

    [LoggerMessage(EventId = RelayLogEvents.Disconnected, Level = LogLevel.Warning, Message = "The relay lost its fabric connection; reconnecting to another node of the cluster")]
    private partial void LogDisconnected();

    [LoggerMessage(EventId = RelayLogEvents.Reconnected, Level = LogLevel.Information, Message = "The relay is on its fabric (NATS node {Node})")]
    private partial void LogReconnected(string node);

    [LoggerMessage(EventId = RelayLogEvents.Dropped, Level = LogLevel.Warning, Message = "The fabric dropped messages for a subscriber that fell behind ({Total} so far)")]
    private partial void LogDropped(long total);

    [LoggerMessage(EventId = RelayLogEvents.SubscriptionEnded, Level = LogLevel.Warning, Message = "A fabric subscription ended: {Reason}")]
    private partial void LogSubscriptionEnded(string reason);

    [LoggerMessage(EventId = RelayLogEvents.TickFailed, Level = LogLevel.Warning, Message = "The fabric's heartbeat failed: {Reason}")]
    private partial void LogTickFailed(string reason);

    private sealed class Entry(FabricSession session, Func<Wire.WireMember[]> localMembers)
    {
        public FabricSession Session { get; } = session;

        public Func<Wire.WireMember[]> LocalMembers { get; } = localMembers;

        public CancellationTokenSource Stop { get; } = new();

        public Task Reading { get; set; } = Task.CompletedTask;
    }
}

/// <summary>Where the fabric is and how to log in to it (from the relay's options).</summary>
internal sealed record FabricLogin(string Servers, string Key, string? User, string? Password, string? Token, string? Credentials)
{
    /// <summary>PEM file of the CA that signed the NATS servers' certificates (else the system's CAs).</summary>
    public string? Ca { get; init; }

    /// <summary>PEM files of the relay's client certificate and its key, for a cluster that verifies clients.</summary>
    public string? Certificate { get; init; }

    public string? CertificateKey { get; init; }
}
