using System.Runtime.InteropServices;

namespace S2cAttach.View;

internal static partial class Interop
{
    internal const int F_SETPIPE_SZ = 1031;
    internal const int TIOCGWINSZ = 0x5413;

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, out WinSize size);

    [LibraryImport("libc")]
    internal static partial int isatty(int fd);

    [StructLayout(LayoutKind.Sequential)]
    internal struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }
}
