using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace S2cd.Conference;

/// <summary>
/// When to make a new media key: a change of members waits <see cref="Delay"/> for more changes, then one rekey covers
/// them all. The rekey runs on this loop of its own, never on the thread that reported the change; one that fails is
/// logged and the next change tries again.
/// </summary>
internal sealed partial class RekeyLoop : IAsyncDisposable
{
    /// <summary>How long a change of members waits for more changes before one rekey covers them all.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);

    private readonly Channel<bool> _wanted = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Action _rekey;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _loop;

    public RekeyLoop(Action rekey, TimeProvider time, ILogger logger)
    {
        _rekey = rekey;
        _time = time;
        _logger = logger;
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>The members changed: a rekey follows (one for a burst of changes).</summary>
    public void Request() => _wanted.Writer.TryWrite(true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (await _wanted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(Delay, _time, cancellationToken).ConfigureAwait(false);
            _wanted.Reader.TryRead(out _);
            try
            {
                _rekey();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep the loop: the next change of members tries again.
                LogRekeyFailed(ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.RekeyFailed, Level = LogLevel.Error, Message = "Could not make a new media key: {Message}")]
    private partial void LogRekeyFailed(string message);
}
