using System.Net.Sockets;

namespace S2cd.Tests.Support;

/// <summary>Whether something serves a Unix socket: its file appears at bind, a moment before listen, so only a connect tells.</summary>
internal static class UnixSocketProbe
{
    public static bool Answers(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
