using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace S2cd.Platform;

/// <summary>
/// A long-running part of the daemon that an unexpected exception cannot take down with the host: the exception
/// is logged, the service shows as down in <c>status</c> (and to the watchdog, if it stays down), and it starts
/// again after a backoff of 1, 2, 4 ... 30 s. A run that lasted a minute resets the backoff.
/// </summary>
internal abstract partial class SupervisedService(string name, LoopHealth health, TimeProvider time, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableRun = TimeSpan.FromMinutes(1);

    /// <summary>The service's name in messages ("camera", "audio").</summary>
    public string Name { get; } = name;

    /// <summary>The daemon's clock.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>Where the service's loops report their progress.</summary>
    protected LoopHealth Health { get; } = health;

    /// <summary>How many times the service has been restarted after an unexpected exception.</summary>
    public int Restarts { get; private set; }

    /// <summary>The delay before restart number <paramref name="failures"/> + 1.</summary>
    internal static TimeSpan Backoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 10))));

    /// <summary>The service's work; returns or throws <see cref="OperationCanceledException"/> when the daemon stops.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Time.GetTimestamp();
            try
            {
                await RunAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (Time.GetElapsedTime(started) > StableRun)
                {
                    failures = 0;
                }

                var delay = Backoff(failures++);
                var restart = Task.Delay(delay, Time, stoppingToken);
                Health.Down(Name, NativeLibraryProblem.Summarize(ex));
                LogServiceFailed(logger, ex, Name, delay.TotalSeconds);
                try
                {
                    await restart.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Restarts++;
                Health.Up(Name);
                LogServiceRestarted(logger, Name, Restarts);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.ServiceFailed, Level = LogLevel.Error, Message = "The {Service} service stopped with an unexpected error; restarting it in {Seconds:0} s")]
    private static partial void LogServiceFailed(ILogger logger, Exception exception, string service, double seconds);

    [LoggerMessage(EventId = LogEvents.ServiceRestarted, Level = LogLevel.Information, Message = "The {Service} service restarted ({Restarts} restarts so far)")]
    private static partial void LogServiceRestarted(ILogger logger, string service, int restarts);
}
