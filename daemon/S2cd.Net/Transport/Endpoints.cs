using System.Net;
using System.Net.Sockets;
using S2cd.Contract;

namespace S2cd.Transport;

/// <summary>HOST:PORT (or [v6]:PORT) to an address to connect to or listen on.</summary>
internal static class Endpoints
{
    /// <summary>Parses and resolves <paramref name="value"/>; a name resolves to its first IPv4 address, else its first.</summary>
    public static IPEndPoint Resolve(string value)
    {
        var problem = NameRules.TryParseEndpoint(value, out var host, out var port, allowAnyPort: true);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(value));
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        var addresses = Dns.GetHostAddresses(host);
        var chosen = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(chosen, port);
    }
}
