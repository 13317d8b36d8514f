using System.Net;
using System.Net.Sockets;

namespace S2cd.Tests.Support;

internal static class LoopbackPorts
{
    /// <summary>
    /// A TCP port on 127.0.0.1 that refuses connections for as long as the result is held: bound (so nothing else can
    /// take it) and never listening. Tests never pick a "free" port to bind later; servers bind port 0 and say which.
    /// </summary>
    public static ClosedPort Closed()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new ClosedPort(socket);
    }

    internal sealed class ClosedPort(Socket socket) : IDisposable
    {
        public int Port { get; } = ((IPEndPoint)socket.LocalEndPoint!).Port;

        public void Dispose() => socket.Dispose();
    }
}
