using S2cd.Contract;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using S2cd.Platform;
using S2cd.Tests.Support;

namespace S2cd.Tests.Platform;

public sealed class SupervisedServiceTests
{
    [Fact(Timeout = 10_000)]
    public async Task AServiceThatThrows_IsShownDown_RestartedWithBackoff_AndTheWatchdogMindsOnlyIfItStaysDown()
    {
        var time = new FakeTimeProvider();
        var health = new LoopHealth(time);
        await using var service = new Flaky(health, time, failures: 2);
        await service.StartAsync(CancellationToken.None);

        await service.Ran.Reader.ReadAsync(TestContext.Current.CancellationToken);
        await DownAsync(health, "failure 1");
        Assert.Equal([("flaky", "InvalidOperationException: failure 1")], health.DownServices());
        Assert.Null(health.Problem(TimeSpan.FromSeconds(5)));

        // First restart after 1 s, the second after 2 s more.
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, service.Restarts);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await service.Ran.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, service.Restarts);
        await DownAsync(health, "failure 2");
        time.Advance(TimeSpan.FromSeconds(2));
        await service.Ran.Reader.ReadAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => Task.FromResult(health.DownServices().Count == 0), TimeSpan.FromSeconds(5), "up again");
        Assert.Equal(2, service.Restarts);
        await service.StopAsync(CancellationToken.None);
    }

    private static Task DownAsync(LoopHealth health, string reason) =>
        Eventually.TrueAsync(() => Task.FromResult(health.DownServices() is [var down] && down.Reason.Contains(reason, StringComparison.Ordinal)), TimeSpan.FromSeconds(5), $"down with {reason}");

    [Fact]
    public void ADownService_IsAWatchdogProblemOnlyAfterStayingDown()
    {
        var time = new FakeTimeProvider();
        var health = new LoopHealth(time);
        health.Down("camera", "boom");
        Assert.Null(health.Problem(TimeSpan.FromSeconds(15)));
        time.Advance(TimeSpan.FromSeconds(16));
        health.Down("camera", "boom again");
        Assert.Equal("the camera service has been down for 16 s: boom again", health.Problem(TimeSpan.FromSeconds(15)));
        health.Up("camera");
        Assert.Null(health.Problem(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void Backoff_DoublesFromOneSecondUpToThirty()
    {
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(0, 7).Select(i => SupervisedService.Backoff(i).TotalSeconds));
    }

    private sealed class Flaky(LoopHealth health, TimeProvider time, int failures)
        : SupervisedService("flaky", health, time, NullLogger.Instance), IAsyncDisposable
    {
        private int _runs;

        public System.Threading.Channels.Channel<int> Ran { get; } = System.Threading.Channels.Channel.CreateUnbounded<int>();

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        protected override async Task RunAsync(CancellationToken stoppingToken)
        {
            var run = ++_runs;
            Ran.Writer.TryWrite(run);
            if (run <= failures)
            {
                throw new InvalidOperationException($"failure {run}");
            }

            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
