using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using S2cd.Wire;

namespace S2cd.Transport;

/// <summary>
/// One wire-protocol connection over a stream, used by the relay for each daemon and by a daemon for its
/// relay. It owns the stream, reads frames with a <see cref="PipeReader"/>, writes from an
/// <see cref="OutboundQueue"/> in batches (one write for everything that is waiting), and sends
/// heartbeats: a peer from which nothing arrives for <see cref="HeartbeatTimeout"/> is closed.
/// </summary>
internal sealed class FrameConnection : IAsyncDisposable
{
    /// <summary>The kernel send buffer of every relay and daemon socket: room for a burst of pictures without blocking.</summary>
    public const int SocketSendBufferBytes = 128 * 1024;

    private const int WriteBatchBytes = 64 * 1024;
    private readonly Stream _stream;
    private readonly TimeProvider _time;
    private readonly OutboundQueue _queue;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly CancellationTokenSource _closed = new();
    private readonly FrameConnectionOptions _options;
    private long _lastReceived;
    private long _framesReceived;
    private long _pingSent;
    private int _disposed;
    private volatile bool _closeWhenFlushed;

    public FrameConnection(Stream stream, FrameConnectionOptions options, TimeProvider time)
    {
        _stream = stream;
        _time = time;
        _options = options;
        _queue = new OutboundQueue(options.QueueCapacity, options.AudioMaxAge);
        _lastReceived = time.GetTimestamp();
    }

    public TimeSpan HeartbeatInterval => _options.HeartbeatInterval;

    public TimeSpan HeartbeatTimeout => _options.HeartbeatTimeout;

    public OutboundQueue Queue => _queue;

    /// <summary>Cancelled when the connection closes, for whatever reason.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>The last round-trip time measured by a heartbeat.</summary>
    public TimeSpan? RoundTrip { get; private set; }

    /// <summary>Why the connection closed, when this side knows.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>True when the connection was closed because the peer broke the wire protocol (an invalid frame).</summary>
    public bool ProtocolViolation { get; private set; }

    /// <summary>Frames read from the peer so far (heartbeats included): lets a test on a fake clock wait for the socket.</summary>
    internal long FramesReceived => Volatile.Read(ref _framesReceived);

    /// <summary>
    /// Runs the reader, writer and heartbeat until the peer goes away, <paramref name="cancellationToken"/>
    /// fires, or a handler throws. <paramref name="onFrame"/> sees every frame but Ping and Pong.
    /// </summary>
    public async Task RunAsync(Action<FrameType, ReadOnlySequence<byte>> onFrame, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        var writer = WriteLoopAsync(linked.Token);
        var heartbeat = HeartbeatLoopAsync(linked.Token);
        try
        {
            await ReadLoopAsync(onFrame, linked.Token).ConfigureAwait(false);
            CloseReason ??= "the peer closed the connection";
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            CloseReason ??= cancellationToken.IsCancellationRequested ? "stopped" : "closed";
        }
        catch (IOException ex)
        {
            CloseReason ??= ex.InnerException?.Message ?? ex.Message;
        }
        catch (WireProtocolException ex)
        {
            // Tell the peer what it did wrong before closing; a peer that does not read is not waited for.
            CloseReason ??= ex.Message;
            ProtocolViolation = true;
            Abort(null);
            await Task.WhenAll(writer, heartbeat).ConfigureAwait(false);
            await WriteErrorDirectAsync(ex.Code, ex.Message).ConfigureAwait(false);
        }
        finally
        {
            Abort(null);
            await Task.WhenAll(writer, heartbeat).ConfigureAwait(false);
        }
    }

    /// <summary>Sends an error frame and closes the connection once everything queued before it is written.</summary>
    public void CloseWithError(WireError code, string message)
    {
        CloseReason ??= message;
        SendControl((code, message), static (w, s) => FrameWriter.WriteError(w, s.code, s.message));
        _closeWhenFlushed = true;
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Queues a control frame written by <paramref name="write"/>. Closes the connection when its queue is full.</summary>
    public bool SendControl<TState>(TState state, Action<IBufferWriter<byte>, TState> write)
    {
        var frame = SharedFrame.Rent(128);
        write(frame, state);
        return SendControl(frame);
    }

    public bool SendControl(SharedFrame frame)
    {
        if (!_queue.TryEnqueueControl(frame))
        {
            Abort("the peer does not read what is sent to it");
            return false;
        }

        _wake.Writer.TryWrite(true);
        return true;
    }

    /// <summary>A Ping or Pong, ahead of everything queued: media waiting for a slow link must not make it look dead.</summary>
    private void SendHeartbeat(FrameType type, ulong token)
    {
        var frame = SharedFrame.Rent(32);
        FrameWriter.WritePing(frame, type, token);
        if (!_queue.TryEnqueueUrgent(frame))
        {
            Abort("the peer does not read what is sent to it");
            return;
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>Queues a media frame; takes over one reference of <paramref name="frame"/>.</summary>
    public void SendMedia(SharedFrame frame, MediaKind kind, uint sender)
    {
        _queue.EnqueueMedia(frame, kind, sender, _time.GetTimestamp());
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Closes the connection; <paramref name="reason"/> is kept when it is the first.</summary>
    public void Abort(string? reason)
    {
        if (reason is not null)
        {
            CloseReason ??= reason;
        }

        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Abort(null);
        _queue.Close();
        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    private async Task ReadLoopAsync(Action<FrameType, ReadOnlySequence<byte>> onFrame, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                _lastReceived = _time.GetTimestamp();
                while (FrameReader.TryReadFrame(ref buffer, _options.MaxFrameBytes, out var type, out var body))
                {
                    Volatile.Write(ref _framesReceived, _framesReceived + 1);
                    switch (type)
                    {
                        case FrameType.Ping:
                            var token = FrameReader.ReadPing(body);
                            SendHeartbeat(FrameType.Pong, token);
                            break;
                        case FrameType.Pong:
                            var sent = FrameReader.ReadPing(body);
                            if ((long)sent == Interlocked.Read(ref _pingSent))
                            {
                                RoundTrip = _time.GetElapsedTime((long)sent);
                            }

                            break;
                        default:
                            onFrame(type, body);
                            break;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new WireProtocolException(WireError.MalformedFrame, "the connection ended inside a frame");
                    }

                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a batch of frames with as few writes as it takes: frames are copied together into
    /// <paramref name="buffer"/>, and one larger than the buffer goes out on its own. Then one flush.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteBatchAsync(List<SharedFrame> batch, byte[] buffer, CancellationToken cancellationToken)
    {
        var used = 0;
        foreach (var frame in batch)
        {
            if (used + frame.Length > buffer.Length)
            {
                await _stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
                used = 0;
            }

            if (frame.Length > buffer.Length)
            {
                await _stream.WriteAsync(frame.Memory, cancellationToken).ConfigureAwait(false);
                continue;
            }

            frame.Memory.Span.CopyTo(buffer.AsSpan(used));
            used += frame.Length;
        }

        if (used > 0)
        {
            await _stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
        }

        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new List<SharedFrame>(64);
        var buffer = ArrayPool<byte>.Shared.Rent(WriteBatchBytes);
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                while (true)
                {
                    _queue.Drain(batch, WriteBatchBytes, _time.GetTimestamp(), _time);
                    if (batch.Count == 0)
                    {
                        if (_closeWhenFlushed)
                        {
                            Abort(null);
                            return;
                        }

                        break;
                    }

                    try
                    {
                        await WriteBatchAsync(batch, buffer, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        foreach (var frame in batch)
                        {
                            frame.Release();
                        }

                        batch.Clear();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Abort(ex.InnerException?.Message ?? ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task WriteErrorDirectAsync(WireError code, string message)
    {
        var frame = SharedFrame.Rent(300);
        try
        {
            FrameWriter.WriteError(frame, code, message);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _stream.WriteAsync(frame.Memory, timeout.Token).ConfigureAwait(false);
            await _stream.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or NotSupportedException)
        {
        }
        finally
        {
            frame.Release();
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(HeartbeatInterval, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = _time.GetTimestamp();
                if (_time.GetElapsedTime(_lastReceived, now) > HeartbeatTimeout)
                {
                    Abort($"nothing heard from the peer for {HeartbeatTimeout.TotalSeconds:0.#} s");
                    return;
                }

                Interlocked.Exchange(ref _pingSent, now);
                SendHeartbeat(FrameType.Ping, (ulong)now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
