using System.Net.Sockets;
using S2cd.Contract;
using StreamJsonRpc;

namespace S2cAttach;

/// <summary>A connection to the daemon's control socket that has said hello.</summary>
internal sealed class ControlClient : IAsyncDisposable
{
    private readonly JsonRpc _rpc;

    private ControlClient(JsonRpc rpc, IControlService daemon, HelloResult hello)
    {
        _rpc = rpc;
        Daemon = daemon;
        Hello = hello;
    }

    public HelloResult Hello { get; }

    /// <summary>The daemon's control API, through the proxy generated at build time.</summary>
    public IControlService Daemon { get; }

    /// <summary>Connects and says hello. Throws <see cref="DaemonUnreachableException"/> when no daemon answers.</summary>
    public static async Task<ControlClient> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(Explain(socketPath, ex));
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        var rpc = new JsonRpc(new NewLineDelimitedMessageHandler(stream, stream, ControlJson.CreateFormatter()));
        var daemon = rpc.Attach<IControlService>();
        rpc.StartListening();
        try
        {
            var hello = await daemon.HelloAsync(ControlProtocol.Version, "s2c-attach", cancellationToken).ConfigureAwait(false);
            return new ControlClient(rpc, daemon, hello);
        }
        catch (ConnectionLostException)
        {
            rpc.Dispose();
            throw new DaemonUnreachableException($"the daemon at {socketPath} closed the connection at once; its log says why (journalctl -u s2cd)");
        }
        catch
        {
            rpc.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string Explain(string socketPath, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.AccessDenied =>
            $"permission denied on {socketPath}: add yourself to group s2c (sudo usermod -aG s2c $USER) and log in again",
        SocketError.AddressNotAvailable or SocketError.ConnectionRefused or SocketError.InvalidArgument =>
            $"s2cd is not running at {socketPath}: start it with 'sudo systemctl start s2cd', or run 's2cd' in another terminal",
        _ when !File.Exists(socketPath) =>
            $"s2cd is not running at {socketPath}: start it with 'sudo systemctl start s2cd', or run 's2cd' in another terminal",
        _ => $"cannot connect to s2cd at {socketPath}: {ex.Message}",
    };
}
