using System.Runtime.InteropServices;

namespace S2cAttach.Share;

/// <summary>
/// The sharer's own terminal in raw mode while it shares (every key goes to the shared program as it is typed, Ctrl-C
/// included), and as it was again afterwards.
/// </summary>
internal sealed unsafe partial class RawMode : IDisposable
{
    private const int TCSANOW = 0;
    private readonly byte[] _saved = new byte[128];
    private readonly bool _active;

    private RawMode(bool active) => _active = active;

    /// <summary>Raw mode on standard input when it is a terminal; nothing otherwise (a script's pipe).</summary>
    public static RawMode Enter()
    {
        if (View.TerminalInfo.IsTerminal(0) is false)
        {
            return new RawMode(false);
        }

        var mode = new RawMode(true);
        var raw = stackalloc byte[128];
        fixed (byte* saved = mode._saved)
        {
            if (tcgetattr(0, saved) != 0)
            {
                return new RawMode(false);
            }

            new ReadOnlySpan<byte>(saved, 128).CopyTo(new Span<byte>(raw, 128));
        }

        cfmakeraw(raw);
        _ = tcsetattr(0, TCSANOW, raw);
        return mode;
    }

    public void Dispose()
    {
        if (_active)
        {
            fixed (byte* saved = _saved)
            {
                _ = tcsetattr(0, TCSANOW, saved);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcsetattr(int fd, int when, byte* termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw(byte* termios);
}
