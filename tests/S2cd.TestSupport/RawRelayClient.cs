using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using S2cd.Security;
using S2cd.Wire;

namespace S2cd.Tests.Support;

/// <summary>A hand-driven wire-protocol client: sends exactly the bytes a test wants and reads frames back.</summary>
internal sealed class RawRelayClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private Task _keepAlive = Task.CompletedTask;

    private RawRelayClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        _reader = PipeReader.Create(_stream);
    }

    /// <summary>
    /// Connects; with <paramref name="fingerprint"/> it speaks TLS 1.3 and accepts only that certificate,
    /// without it plain TCP.
    /// </summary>
    public static async Task<RawRelayClient> ConnectAsync(IPEndPoint relay, string? fingerprint, int receiveBuffer = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }

        await socket.ConnectAsync(relay);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (fingerprint is not null)
        {
            var ssl = new SslStream(stream, false, (_, certificate, _, _) => certificate is not null && Fingerprint.Of(certificate.GetRawCertData()) == fingerprint);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "relay", EnabledSslProtocols = SslProtocols.Tls13 });
            stream = ssl;
        }

        return new RawRelayClient(socket, stream);
    }

    /// <summary>
    /// Connects, says hello and returns once welcomed, with the id the relay gave. From then on it sends a Ping
    /// every half second, as a live daemon does, so that the relay does not take it for a dead link while the
    /// test is busy elsewhere (on a loaded machine that can be longer than the relay's timeout).
    /// </summary>
    public static async Task<(RawRelayClient Client, uint Id)> JoinAsync(IPEndPoint relay, string? fingerprint, string session, string name, int receiveBuffer = 0)
    {
        var client = await ConnectAsync(relay, fingerprint, receiveBuffer);
        await client.SendAsync(w => FrameWriter.WriteHello(w, MemberFlags.None, session, name));
        var (type, body) = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FrameType.Welcome, type);
        var (_, id, _) = FrameReader.ReadWelcome(new ReadOnlySequence<byte>(body), 1024);
        client._keepAlive = client.KeepAliveAsync();
        return (client, id);
    }

    public async Task SendAsync(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        await SendRawAsync(buffer.WrittenMemory);
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task KeepAliveAsync()
    {
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await Task.Delay(500, _closing.Token);
                await SendAsync(w => FrameWriter.WritePing(w, FrameType.Ping, 1));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Closed by the test or by the relay.
        }
    }

    /// <summary>Reads the next frame that is not a heartbeat, answering pings as a live peer does.</summary>
    /// <summary>Whether <see cref="ReadFrameAsync"/> returns the relay's DatagramSetup frame rather than skipping it.</summary>
    public bool SeesDatagramSetup { get; set; }

    public async Task<(FrameType Type, byte[] Body)> ReadFrameAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            var result = await _reader.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, WireProtocol.AbsoluteMaxFrameBytes, out var type, out var body))
            {
                var bytes = body.ToArray();
                _reader.AdvanceTo(buffer.Start);
                if (type == FrameType.Ping)
                {
                    var token = FrameReader.ReadPing(new ReadOnlySequence<byte>(bytes));
                    await SendAsync(w => FrameWriter.WritePing(w, FrameType.Pong, token));
                    continue;
                }

                if (type == FrameType.Pong)
                {
                    continue;
                }

                if (type == FrameType.DatagramSetup && !SeesDatagramSetup)
                {
                    // The relay's offer of a datagram path: a client that takes media on its link ignores it.
                    continue;
                }

                return (type, bytes);
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException("the relay closed the connection");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads until a frame of <paramref name="type"/> arrives that <paramref name="match"/> accepts.</summary>
    public async Task<byte[]> ReadUntilAsync(FrameType type, Func<byte[], bool> match, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no matching {type} within {within}");
            }

            var (t, body) = await ReadFrameAsync(left);
            if (t == type && match(body))
            {
                return body;
            }
        }
    }

    /// <summary>The next frame of <paramref name="type"/>, or null when none comes within <paramref name="quiet"/>.</summary>
    public async Task<byte[]?> TryReadUntilAsync(FrameType type, TimeSpan quiet)
    {
        try
        {
            return await ReadUntilAsync(type, _ => true, quiet);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>True when the relay closes the connection within the time given (frames before the close are skipped).</summary>
    public async Task<bool> IsClosedWithinAsync(TimeSpan within)
    {
        try
        {
            while (true)
            {
                await ReadFrameAsync(within);
            }
        }
        catch (EndOfStreamException)
        {
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _keepAlive;
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
