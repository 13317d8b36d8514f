namespace S2cd.Conference;

internal sealed partial class ConferenceLink
{
    private sealed class PreviewLease(ConferenceLink link) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                link.EndPreview();
            }
        }
    }
}
