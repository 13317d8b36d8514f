using System.Threading.Channels;

namespace S2cd.Conference;

/// <summary>
/// Whether the camera is wanted beyond the call (someone previews it), and the wake-up the camera service waits on
/// when the answer of <see cref="ConferenceLink.WantsCamera"/> may have changed.
/// </summary>
internal sealed class CameraDemand
{
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _previewers;

    /// <summary>True while at least one preview runs.</summary>
    public bool Previewing => Volatile.Read(ref _previewers) > 0;

    /// <summary>The answer may have changed: wakes the camera service.</summary>
    public void Poke() => _changed.Writer.TryWrite(true);

    /// <summary>Completes when <see cref="Poke"/> was called since the last wait.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _changed.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        _changed.Reader.TryRead(out _);
    }

    /// <summary>A preview of our own camera, outside any session, until the result is disposed; <paramref name="ended"/> runs then.</summary>
    public IDisposable StartPreview(Action ended)
    {
        Interlocked.Increment(ref _previewers);
        Poke();
        return new Lease(this, ended);
    }

    private sealed class Lease(CameraDemand demand, Action ended) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref demand._previewers);
                demand.Poke();
                ended();
            }
        }
    }
}
