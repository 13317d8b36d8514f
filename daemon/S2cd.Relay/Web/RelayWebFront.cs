using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using S2cd.Contract;

namespace S2cd.Relay.Web;

/// <summary>
/// The relay's web front (Relay:Web), on Kestrel: <c>/</c> makes a session, <c>/s/NAME</c> says how many are in it and
/// shows the command that joins it and the one-line join, <c>/j/NAME</c> is that line's script and
/// <c>/download/…</c> the build it fetches (<see cref="JoinBuild"/>, <see cref="JoinDownloads"/>), <c>/metrics</c> is
/// for Prometheus, <c>/healthz</c> and <c>/readyz</c> for whatever watches the relay. Plain HTTP, meant to sit behind a
/// reverse proxy that adds TLS (whose forwarded headers are believed only from Relay:TrustedProxies). Requests are
/// small and bounded (line, headers, body, form fields), making sessions and downloading the build are limited per
/// address, and every page and script is rendered from values checked here. It runs on the thread pool beside the relay and takes nothing from it but reads
/// of its counters.
/// </summary>
internal sealed partial class RelayWebFront(RelayServer relay, RelayPlacement placement, ILoggerFactory loggers, TimeProvider time) : IHostedService, IAsyncDisposable
{
    private const string MakePolicy = "make";
    private readonly ILogger _logger = loggers.CreateLogger<RelayWebFront>();
    private readonly SessionLinks _links = new(time);
    private readonly JoinBuild _build = new(relay.Options, placement.StateDirectory, loggers.CreateLogger<JoinBuild>());
    private WebApplication? _app;
    private JoinDownloads? _downloads;

    /// <summary>Where the web front listens (http://HOST:PORT), once started.</summary>
    public string? Address { get; private set; }

    /// <summary>Why the configured web front does not serve (its address taken), or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The build the one-line join offers, or why none.</summary>
    public JoinBuild Build => _build;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (relay.Options.Web is not { } web || NameRules.TryParseEndpoint(web, out var host, out var port, allowAnyPort: true) is not null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "s2c-relay-web", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // The daemon's host owns the process's signals and stops the web front with everything else.
        builder.Services.AddSingleton<IHostLifetime, DaemonOwnedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 4096;
            kestrel.Limits.MaxRequestLineSize = 2048;
            kestrel.Limits.MaxRequestHeadersTotalSize = 8192;
            kestrel.Limits.MaxRequestHeaderCount = 32;
            kestrel.Limits.MaxConcurrentConnections = 256;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            if (host == "localhost")
            {
                kestrel.ListenLocalhost(port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(host.Trim('[', ']')), port);
            }
        });
        builder.Services.Configure<FormOptions>(form =>
        {
            form.ValueCountLimit = 8;
            form.KeyLengthLimit = 64;
            form.ValueLengthLimit = 1024;
            form.MultipartBodyLengthLimit = 4096;
        });
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, token) => new ValueTask(WriteAsync(
                context.HttpContext,
                StatusCodes.Status429TooManyRequests,
                Pages.Problem("Too many sessions", $"This address asked for {relay.Options.WebSessionsPerMinute} sessions in the last minute, the most this relay allows; wait a little and try again.")));
            limiter.AddPolicy(MakePolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "?",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = relay.Options.WebSessionsPerMinute,
                    TokensPerPeriod = relay.Options.WebSessionsPerMinute,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        });

        var app = builder.Build();
        if (relay.Options.TrustedProxies is { } trusted && WebAddresses.CheckTrustedProxies(trusted, out var proxies) is null)
        {
            // Only these proxies' X-Forwarded-* are believed: the client address they name is the one the limits count.
            var forwarded = new ForwardedHeadersOptions
            {
                ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
                ForwardLimit = 1,
            };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                forwarded.KnownProxies.Add(proxy);
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'unsafe-inline'; script-src '{Pages.CopyScriptHash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            return next(context);
        });
        app.UseRateLimiter();
        _downloads = new JoinDownloads(_build, relay.Options);
        Map(app, new RelayMetrics(relay, _downloads));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // The address is taken, or not this machine's: the relay's calls matter more than its web pages.
            await app.DisposeAsync().ConfigureAwait(false);
            Problem = $"Relay:Web {web}: {ex.Message}";
            LogNotServing(web, ex.Message);
            return;
        }

        _app = app;
        _build.Start();
        Address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        LogListening(Address ?? web);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }

        _downloads?.Dispose();
    }

    private void Map(WebApplication app, RelayMetrics metrics)
    {
        app.MapGet("/", (HttpContext context) => WriteAsync(context, StatusCodes.Status200OK, Pages.Home(token: relay.Options.WebToken is not null)));
        app.MapPost("/", MakeAsync).RequireRateLimiting(MakePolicy);
        app.MapGet("/s/{name}", (HttpContext context, string name) =>
        {
            if (NameRules.CheckSession(name) is { } problem)
            {
                return WriteAsync(context, StatusCodes.Status404NotFound, Pages.Problem("No such session", $"There is no session of that name here: {problem}."));
            }

            var link = _links.Find(name);
            var line = _build.Offered && PageUrl(context) is { } page ? JoinScript.Line(page, name) : null;
            return WriteAsync(context, StatusCodes.Status200OK, Pages.Session(name, relay.MembersOf(name), Command(context, name, link), line, link));
        });
        app.MapGet("/j/{name}", ScriptAsync);
        app.MapGet("/download/{file}", (HttpContext context, string file) => _downloads!.SendAsync(context, file));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.ExportAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/healthz", (HttpContext context) => WriteTextAsync(context, StatusCodes.Status200OK, "ok"));
        app.MapGet("/readyz", (HttpContext context) => Readiness() is { } problem
            ? WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, problem)
            : WriteTextAsync(context, StatusCodes.Status200OK, "ready"));
        app.MapFallback((HttpContext context) => WriteAsync(context, StatusCodes.Status404NotFound, Pages.Problem("Not found", "There is nothing at this address.")));
    }

    /// <summary>Whether <paramref name="given"/> is the token, compared in time that does not depend on where they differ.</summary>
    private static bool SameToken(string given, string token) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(given)),
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    /// <summary>POST /: checks the form, records the session and sends the browser to its page (always a path of ours).</summary>
    private async Task MakeAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, Pages.Problem("Not a form", "Send the form of the start page.")).ConfigureAwait(false);
            return;
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            var status = ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
            await WriteAsync(context, status, Pages.Problem("Bad form", status == StatusCodes.Status413PayloadTooLarge ? "The form was larger than the 4 KiB allowed." : "The form was malformed or too large.")).ConfigureAwait(false);
            return;
        }

        var typed = form["session"].ToString().Trim();
        var hint = form["hint"].ToString();
        var passphrase = form["passphrase"] == "on" || !string.IsNullOrWhiteSpace(hint);
        if (relay.Options.WebToken is { } token && !SameToken(form["token"].ToString(), token))
        {
            // What was typed comes back, but never the token.
            await WriteAsync(context, StatusCodes.Status403Forbidden, Pages.Home("The token is not this relay's: ask whoever runs it.", typed, hint, passphrase, token: true)).ConfigureAwait(false);
            return;
        }

        var name = typed.Length == 0 ? SessionLinks.NewName() : typed;
        if ((NameRules.CheckSession(name) ?? SessionLinks.CheckHint(hint)) is { } problem)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, Pages.Home(problem, typed, hint, passphrase, token: relay.Options.WebToken is not null)).ConfigureAwait(false);
            return;
        }

        _links.Add(name, passphrase, hint);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = "/s/" + Uri.EscapeDataString(name);
    }

    /// <summary>GET /j/NAME: the script behind the one-line join, with this session's values written in.</summary>
    private async Task ScriptAsync(HttpContext context, string name)
    {
        if (NameRules.CheckSession(name) is { } problem)
        {
            await WriteTextAsync(context, StatusCodes.Status404NotFound, $"echo 's2c: there is no session of that name: {problem.Replace('\'', ' ')}' >&2; exit 1").ConfigureAwait(false);
            return;
        }

        if (PageUrl(context) is not { } page)
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, "echo 's2c: the relay cannot tell its own address from this request (set Relay:PublicWebUrl)' >&2; exit 1").ConfigureAwait(false);
            return;
        }

        var offer = await _build.ReadyAsync().ConfigureAwait(false);
        var script = JoinScript.Render(new JoinScript.Values(
            name, PublicAddress(context), relay.CertificateFingerprint, _links.Find(name)?.Passphrase == true, page, offer, _build.Problem));
        await WriteTextAsync(context, StatusCodes.Status200OK, script.TrimEnd('\n')).ConfigureAwait(false);
    }

    /// <summary>
    /// The web front's address as the person reached it: Relay:PublicWebUrl; else the scheme and host of the request (a
    /// trusted proxy's forwarded ones); null when the host is not one to write into a page or script.
    /// </summary>
    private string? PageUrl(HttpContext context) =>
        relay.Options.PublicWebUrl is { } configured && WebAddresses.CheckPublicWebUrl(configured, out var url) is null
            ? url
            : WebAddresses.BaseUrl(context.Request.Scheme, context.Request.Host.Value ?? string.Empty);

    /// <summary>The one command that joins <paramref name="name"/> on this relay, pinning its certificate.</summary>
    private string Command(HttpContext context, string name, SessionLinks.Link? link)
    {
        var command = $"s2c-attach join {name} --relay {PublicAddress(context)}";
        if (relay.CertificateFingerprint is { } fingerprint)
        {
            command += $" --relay-fingerprint {fingerprint}";
        }

        return link?.Passphrase == true ? command + " --passphrase" : command;
    }

    /// <summary>
    /// Where participants reach the relay: Relay:PublicAddress; else the listen address when it names one host; else
    /// the host the browser asked for (checked as a host name) with the relay's port.
    /// </summary>
    private string PublicAddress(HttpContext context)
    {
        if (relay.Options.PublicAddress is { } configured)
        {
            return configured;
        }

        var listen = relay.LocalEndPoint;
        if (listen is null)
        {
            return "?";
        }

        if (!listen.Address.Equals(IPAddress.Any) && !listen.Address.Equals(IPAddress.IPv6Any))
        {
            return listen.ToString();
        }

        var asked = $"{context.Request.Host.Host}:{listen.Port}";
        return NameRules.TryParseEndpoint(asked, out _, out _) is null ? asked : listen.ToString();
    }

    /// <summary>Why the relay is not ready (not listening; its fabric not connected), or null when it is.</summary>
    private string? Readiness() =>
        relay.LocalEndPoint is null ? "not listening"
        : relay.Options.Fabric is not null && relay.Fabric?.Connected != true ? "not connected to the fabric"
        : null;

    private static Task WriteAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>Answers with <paramref name="text"/> and a newline as plain text (health, the join script, a refused download).</summary>
    internal static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }

    [LoggerMessage(EventId = RelayLogEvents.RelayWebFrontListening, Level = LogLevel.Information, Message = "The relay's web front listens on {Address}")]
    private partial void LogListening(string address);

    [LoggerMessage(EventId = RelayLogEvents.NotServing, Level = LogLevel.Error, Message = "The relay's web front does not serve on {Address}: {Reason}. The relay forwards calls without it; free the address or change Relay:Web")]
    private partial void LogNotServing(string address, string reason);

    /// <summary>A lifetime that listens to no signal: the daemon's own host starts and stops the web front.</summary>
    private sealed class DaemonOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Kestrel's own warnings go to the daemon's log, as the rest.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory loggers) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
