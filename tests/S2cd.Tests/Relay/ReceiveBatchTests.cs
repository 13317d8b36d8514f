using System.Net;
using System.Net.Sockets;
using S2cd.Relay;

namespace S2cd.Tests.Relay;

/// <summary>recvmmsg through <see cref="ReceiveBatch"/> on real UDP sockets on loopback.</summary>
public sealed class ReceiveBatchTests
{
    [Fact]
    public void DatagramsThatArrived_ComeInOneBatch_WithWhereTheyCameFrom_AndAWaitTimesOut()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var batch = new ReceiveBatch(receiver, 100);
        for (var i = 1; i <= 5; i++)
        {
            sender.SendTo(Enumerable.Repeat((byte)i, i * 10).ToArray(), receiver.LocalEndPoint!);
        }

        sender.SendTo(new byte[150], receiver.LocalEndPoint!);
        Thread.Sleep(100);
        Assert.Equal(6, batch.Receive());
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(Enumerable.Repeat((byte)i, i * 10), batch.Datagram(i - 1).ToArray());
            Assert.Equal(sender.LocalEndPoint, new IPEndPoint(IPAddress.Any, 0).Create(batch.From(i - 1)));
        }

        // Longer than the buffer: seen as too long (the loop drops it), not as a shorter datagram.
        Assert.True(batch.Datagram(5).Length >= 100);
        Assert.Equal(0, batch.Receive());
    }
}
