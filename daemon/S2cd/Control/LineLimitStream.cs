namespace S2cd.Control;

/// <summary>
/// Wraps a client connection: fails the read once a line (one JSON-RPC message) grows past the limit, so that a
/// client cannot make the daemon buffer an unbounded message; and tells when the writes under way are done, so that
/// notifications to a client that does not read wait instead of piling up (<see cref="WhenWrittenAsync"/>).
/// </summary>
internal sealed class LineLimitStream(Stream inner, int maxLineBytes) : Stream
{
    private readonly Lock _writes = new();
    private int _lineBytes;
    private int _writing;
    private TaskCompletionSource? _written;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Check(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_writes)
        {
            _writing++;
        }

        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TaskCompletionSource? written = null;
            lock (_writes)
            {
                if (--_writing == 0)
                {
                    (written, _written) = (_written, null);
                }
            }

            written?.TrySetResult();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Completes when no write is under way (at once when none is): the client has taken what was sent.</summary>
    public Task WhenWrittenAsync()
    {
        lock (_writes)
        {
            return _writing == 0 ? Task.CompletedTask : (_written ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Check(ReadOnlySpan<byte> data)
    {
        var rest = data;
        while (true)
        {
            var newline = rest.IndexOf((byte)'\n');
            var segment = newline < 0 ? rest.Length : newline;
            if (_lineBytes + segment > maxLineBytes)
            {
                throw new IOException($"message longer than {maxLineBytes} bytes");
            }

            if (newline < 0)
            {
                _lineBytes += segment;
                return data.Length;
            }

            _lineBytes = 0;
            rest = rest[(newline + 1)..];
        }
    }
}
