using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using S2cd.Conference;
using S2cd.Control;
using S2cd.Platform;

namespace S2cd.Hosting;

/// <summary>
/// systemd's watchdog (WatchdogSec=): when the service manager asks for it (WATCHDOG_USEC), sends WATCHDOG=1
/// every half interval, but only while the daemon is healthy: the conference state answers (no deadlock on
/// it), and every loop that should be turning has turned recently (<see cref="LoopHealth"/>). When not,
/// it says why in STATUS= and the log and stops sending, so systemd restarts the daemon.
/// </summary>
internal sealed partial class WatchdogService(
    ISystemdNotifier notifier,
    LoopHealth health,
    TimeProvider time,
    ILogger<WatchdogService> logger,
    ConferenceParts? parts = null) : BackgroundService
{
    /// <summary>The watchdog interval systemd asked for, or null when it did not (or asked another process).</summary>
    public static TimeSpan? RequestedInterval()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (string.IsNullOrEmpty(usec) || !long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds);
    }

    /// <summary>How long a loop may go without a beat before the daemon counts as unhealthy.</summary>
    public static TimeSpan StaleAfter(TimeSpan interval) => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, interval.Ticks / 2));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (RequestedInterval() is not { } interval || !notifier.IsEnabled)
        {
            return;
        }

        LogWatchdog(interval.TotalSeconds);
        string? reported = null;
        using var timer = new PeriodicTimer(interval / 2, time);
        try
        {
            do
            {
                _ = parts?.Conference.GetStatus();
                var problem = health.Problem(StaleAfter(interval));
                if (problem is null)
                {
                    notifier.Notify(new ServiceState(reported is null ? "WATCHDOG=1" : "WATCHDOG=1\nSTATUS=healthy again"));
                    if (reported is not null)
                    {
                        LogHealthy();
                    }
                }
                else if (problem != reported)
                {
                    notifier.Notify(new ServiceState("STATUS=unhealthy: " + problem));
                    LogUnhealthy(problem);
                }

                reported = problem;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = LogEvents.Watchdog, Level = LogLevel.Information, Message = "systemd watchdog every {Seconds:0.#} s: WATCHDOG=1 while the loops are healthy")]
    private partial void LogWatchdog(double seconds);

    [LoggerMessage(EventId = LogEvents.Unhealthy, Level = LogLevel.Error, Message = "Unhealthy, no more watchdog pings (systemd will restart the daemon): {Problem}")]
    private partial void LogUnhealthy(string problem);

    [LoggerMessage(EventId = LogEvents.Healthy, Level = LogLevel.Information, Message = "Healthy again; watchdog pings resume")]
    private partial void LogHealthy();
}
