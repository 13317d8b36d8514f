using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace S2cd.Relay;

/// <summary>
/// Receives datagrams in batches with recvmmsg(2): one system call waits for the first and takes whatever else has
/// arrived (up to <see cref="Capacity"/>), so a busy loop pays one call per batch, not per datagram, and the
/// media for one receiver can go out together when the batch is done. The socket is kept open while this lives
/// (its handle is referenced), and a wait ends after the socket's receive timeout so the loop can look at its
/// cancellation.
/// </summary>
internal sealed unsafe partial class ReceiveBatch : IDisposable
{
    public const int Capacity = 32;
    private const int AddressBytes = 128;
    private const int MsgWaitForOne = 0x10000;
    private readonly SafeHandle _handle;
    private readonly int _datagramBytes;
    private readonly byte* _buffers;
    private readonly byte* _addresses;
    private readonly IoVec* _iov;
    private readonly MMsgHdr* _messages;
    private readonly SocketAddress[] _from;
    private bool _referenced;

    public ReceiveBatch(Socket socket, int datagramBytes)
    {
        socket.Blocking = true;
        socket.ReceiveTimeout = 250;
        _handle = socket.SafeHandle;
        _handle.DangerousAddRef(ref _referenced);
        _datagramBytes = datagramBytes;
        _buffers = (byte*)NativeMemory.Alloc((nuint)(Capacity * datagramBytes));
        _addresses = (byte*)NativeMemory.AllocZeroed((nuint)(Capacity * AddressBytes));
        _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(IoVec)));
        _messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(MMsgHdr)));
        _from = [.. Enumerable.Range(0, Capacity).Select(_ => new SocketAddress(socket.AddressFamily, AddressBytes))];
        for (var i = 0; i < Capacity; i++)
        {
            _iov[i] = new IoVec { Base = _buffers + (i * datagramBytes), Length = (nuint)datagramBytes };
            _messages[i].Header.Iov = _iov + i;
            _messages[i].Header.IovLength = 1;
            _messages[i].Header.Name = _addresses + (i * AddressBytes);
        }
    }

    /// <summary>
    /// Waits for datagrams; returns how many arrived (0 when the wait timed out or was interrupted; a failure other
    /// than those throws <see cref="SocketException"/>).
    /// </summary>
    public int Receive()
    {
        for (var i = 0; i < Capacity; i++)
        {
            _messages[i].Header.NameLength = AddressBytes;
            _messages[i].Header.Flags = 0;
            _messages[i].Length = 0;
        }

        var count = recvmmsg((int)_handle.DangerousGetHandle(), _messages, Capacity, MsgWaitForOne, null);
        if (count >= 0)
        {
            return count;
        }

        var error = Marshal.GetLastPInvokeError();
        return error is 11 or 4 ? 0 : throw new SocketException(error);
    }

    /// <summary>Datagram <paramref name="index"/> of the last batch (a datagram longer than the buffer shows as its length + 1 or more).</summary>
    public ReadOnlySpan<byte> Datagram(int index) =>
        new(_buffers + (index * _datagramBytes), (int)Math.Min(_messages[index].Length, (uint)_datagramBytes));

    /// <summary>Where datagram <paramref name="index"/> came from (the object is reused by the next batch).</summary>
    public SocketAddress From(int index)
    {
        var address = _from[index];
        var length = (int)Math.Min(_messages[index].Header.NameLength, AddressBytes);
        new ReadOnlySpan<byte>(_addresses + (index * AddressBytes), length).CopyTo(address.Buffer.Span);
        address.Size = length;
        return address;
    }

    public void Dispose()
    {
        NativeMemory.Free(_buffers);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_iov);
        NativeMemory.Free(_messages);
        if (_referenced)
        {
            _handle.DangerousRelease();
            _referenced = false;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int recvmmsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
