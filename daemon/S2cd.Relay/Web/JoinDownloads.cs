using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace S2cd.Relay.Web;

/// <summary>
/// Sends the packed build (<c>/download/s2cd-VERSION-linux-x64.tar.gz</c>) within bounds: each address may start
/// Relay:DownloadsPerAddressPerHour downloads an hour, and at most Relay:MaxConcurrentDownloads are sent at once; the
/// rest are refused at once (429, 503), never queued. Every answer is counted, for /metrics.
/// </summary>
internal sealed class JoinDownloads : IDisposable
{
    private readonly JoinBuild _build;
    private readonly int _concurrent;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private int _sending;
    private long _served;
    private long _bytes;
    private long _refusedRate;
    private long _refusedBusy;
    private long _failed;

    public JoinDownloads(JoinBuild build, RelayOptions options)
    {
        _build = build;
        _concurrent = options.MaxConcurrentDownloads;
        var perHour = options.DownloadsPerAddressPerHour;
        _perAddress = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(
            address,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perHour,
                TokensPerPeriod = Math.Max(1, perHour / 6),
                ReplenishmentPeriod = TimeSpan.FromMinutes(10),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Downloads sent whole, and their bytes.</summary>
    public (long Served, long Bytes, long RefusedRate, long RefusedBusy, long Failed) Counts() =>
        (Interlocked.Read(ref _served), Interlocked.Read(ref _bytes), Interlocked.Read(ref _refusedRate), Interlocked.Read(ref _refusedBusy), Interlocked.Read(ref _failed));

    /// <summary>Downloads being sent now.</summary>
    public int Sending => Volatile.Read(ref _sending);

    public async Task SendAsync(HttpContext context, string file)
    {
        if (file != JoinBuild.FileName || await _build.ReadyAsync().ConfigureAwait(false) is not { } offer)
        {
            await RelayWebFront.WriteTextAsync(context, StatusCodes.Status404NotFound, _build.Problem is { } why ? $"no build here: {why}" : "no such file").ConfigureAwait(false);
            return;
        }

        if (Interlocked.Increment(ref _sending) > _concurrent)
        {
            Interlocked.Decrement(ref _sending);
            Interlocked.Increment(ref _refusedBusy);
            context.Response.Headers.RetryAfter = "30";
            await RelayWebFront.WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "the relay is sending as many downloads as it allows; try again in a little while").ConfigureAwait(false);
            return;
        }

        // A refusal for being busy costs the address nothing; one for its rate does not take a place.
        using var lease = _perAddress.AttemptAcquire(context.Connection.RemoteIpAddress?.ToString() ?? "?");
        if (!lease.IsAcquired)
        {
            Interlocked.Decrement(ref _sending);
            Interlocked.Increment(ref _refusedRate);
            context.Response.Headers.RetryAfter = "600";
            await RelayWebFront.WriteTextAsync(context, StatusCodes.Status429TooManyRequests, "this address downloaded the build too often; wait a few minutes").ConfigureAwait(false);
            return;
        }

        try
        {
            context.Response.ContentType = "application/gzip";
            context.Response.ContentLength = offer.Length;
            context.Response.Headers.ContentDisposition = $"attachment; filename={JoinBuild.FileName}";
            await context.Response.SendFileAsync(offer.Path, context.RequestAborted).ConfigureAwait(false);
            Interlocked.Increment(ref _served);
            Interlocked.Add(ref _bytes, offer.Length);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            Interlocked.Decrement(ref _sending);
        }
    }

    public void Dispose() => _perAddress.Dispose();
}

/// <summary>The downloads of the build in the Prometheus text format.</summary>
internal sealed class DownloadMetrics(MetricFactory factory, JoinDownloads downloads)
{
    private readonly Counter _answers = factory.CreateCounter("s2c_relay_downloads_total", "Downloads of the build for the one-line join, by result: served, refused_rate (over Relay:DownloadsPerAddressPerHour), refused_busy (over Relay:MaxConcurrentDownloads), failed (the connection ended first).", "result");
    private readonly Counter _bytes = factory.CreateCounter("s2c_relay_download_bytes_total", "Bytes of the build sent in downloads that completed.");
    private readonly Gauge _sending = factory.CreateGauge("s2c_relay_downloads_sending", "Downloads of the build being sent now.");

    public void Update()
    {
        var (served, bytes, rate, busy, failed) = downloads.Counts();
        _answers.WithLabels("served").IncTo(served);
        _answers.WithLabels("refused_rate").IncTo(rate);
        _answers.WithLabels("refused_busy").IncTo(busy);
        _answers.WithLabels("failed").IncTo(failed);
        _bytes.IncTo(bytes);
        _sending.Set(downloads.Sending);
    }
}
