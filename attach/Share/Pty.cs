using System.Runtime.InteropServices;
using System.Text;

namespace S2cAttach.Share;

/// <summary>
/// A pseudo-terminal with a program on its other side: the master here, the program started with posix_spawn in a
/// session of its own whose controlling terminal is the slave (so it gets Ctrl-C, job control and a size like any
/// program in a terminal). Nothing managed runs between fork and exec.
/// </summary>
internal sealed unsafe partial class Pty : IDisposable
{
    private const int O_RDWR = 0x2;
    private const int O_NOCTTY = 0x100;
    private const int O_CLOEXEC = 0x80000;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSID = 0x80;
    private const nuint TIOCSWINSZ = 0x5414;

    private Pty(int master, int pid)
    {
        Master = master;
        Pid = pid;
    }

    /// <summary>The master's file descriptor: what the program writes comes out here, what is written here is its input.</summary>
    public int Master { get; }

    public int Pid { get; }

    /// <summary>Starts <paramref name="argv"/> (looked up in PATH) on a new pseudo-terminal of <paramref name="cols"/> × <paramref name="rows"/>.</summary>
    public static Pty Start(IReadOnlyList<string> argv, int cols, int rows)
    {
        var master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
        {
            throw new IOException($"no pseudo-terminal: errno {Marshal.GetLastPInvokeError()}");
        }

        var name = stackalloc byte[256];
        if (ptsname_r(master, name, 256) != 0)
        {
            throw new IOException("no name for the pseudo-terminal");
        }

        Resize(master, cols, rows);
        var actions = stackalloc byte[512];
        var attributes = stackalloc byte[1024];
        var signals = stackalloc byte[128];
        posix_spawn_file_actions_init(actions);
        posix_spawnattr_init(attributes);
        try
        {
            // Opened after setsid, the slave becomes the program's controlling terminal.
            Check(posix_spawn_file_actions_addopen(actions, 0, name, O_RDWR, 0));
            Check(posix_spawn_file_actions_adddup2(actions, 0, 1));
            Check(posix_spawn_file_actions_adddup2(actions, 0, 2));
            Check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
            sigemptyset(signals);
            Check(posix_spawnattr_setsigmask(attributes, signals));
            // What this process ignores or handles (SIGPIPE, the terminal's signals) the program gets as a shell would.
            foreach (var signal in new[] { 1, 2, 3, 13, 15, 17, 20, 21, 22, 28 })
            {
                sigaddset(signals, signal);
            }

            Check(posix_spawnattr_setsigdefault(attributes, signals));
            var pid = Spawn(argv, actions, attributes);
            return new Pty(master, pid);
        }
        catch
        {
            close(master);
            throw;
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attributes);
        }
    }

    /// <summary>Tells the program its terminal has a new size (it gets SIGWINCH).</summary>
    public void Resize(int cols, int rows) => Resize(Master, cols, rows);

    /// <summary>Reads what the program wrote; 0 once it has closed its terminal (it ended).</summary>
    public int Read(Span<byte> buffer) => Read(Master, buffer);

    /// <summary>Reads from <paramref name="fd"/>, again when a signal interrupts; 0 at its end or on an error (EIO: every end of a pty's slave is closed).</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                var read = read_fd(fd, bytes, (nuint)buffer.Length);
                if (read >= 0 || Marshal.GetLastPInvokeError() != 4)
                {
                    return (int)Math.Max(0, read);
                }
            }
        }
    }

    /// <summary>Writes the sharer's keys to the program.</summary>
    public void Write(ReadOnlySpan<byte> input)
    {
        fixed (byte* bytes = input)
        {
            var done = 0;
            while (done < input.Length)
            {
                var written = write_fd(Master, bytes + done, (nuint)(input.Length - done));
                if (written < 0)
                {
                    if (Marshal.GetLastPInvokeError() == 4)
                    {
                        continue;
                    }

                    return;
                }

                done += (int)written;
            }
        }
    }

    /// <summary>Waits for the program to end; its exit code (128 + the signal that ended it).</summary>
    public int Wait()
    {
        int status;
        while (waitpid(Pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == 4)
        {
        }

        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F);
    }

    public void Dispose() => close(Master);

    private static void Resize(int fd, int cols, int rows)
    {
        var size = new View.Interop.WinSize { Cols = (ushort)cols, Rows = (ushort)rows };
        _ = ioctl(fd, TIOCSWINSZ, &size);
    }

    private static int Spawn(IReadOnlyList<string> argv, byte* actions, byte* attributes)
    {
        var environment = Environment.GetEnvironmentVariables();
        var strings = new List<nint>();
        try
        {
            var args = new nint[argv.Count + 1];
            for (var i = 0; i < argv.Count; i++)
            {
                args[i] = Utf8(argv[i], strings);
            }

            var envp = new nint[environment.Count + 1];
            var at = 0;
            foreach (System.Collections.DictionaryEntry entry in environment)
            {
                envp[at++] = Utf8($"{entry.Key}={entry.Value}", strings);
            }

            int pid;
            fixed (nint* a = args)
            fixed (nint* e = envp)
            {
                var error = posix_spawnp(&pid, (byte*)args[0], actions, attributes, a, e);
                if (error != 0)
                {
                    throw new IOException($"cannot start {argv[0]}: {Marshal.GetPInvokeErrorMessage(error)}");
                }
            }

            return pid;
        }
        finally
        {
            foreach (var s in strings)
            {
                Marshal.FreeHGlobal(s);
            }
        }
    }

    private static nint Utf8(string value, List<nint> strings)
    {
        var bytes = Encoding.UTF8.GetBytes(value + "\0");
        var native = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, native, bytes.Length);
        strings.Add(native);
        return native;
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new IOException($"posix_spawn: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc")]
    private static partial int ptsname_r(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, View.Interop.WinSize* size);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint read_fd(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint write_fd(int fd, byte* buffer, nuint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(byte* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(byte* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_addopen(byte* actions, int fd, byte* path, int flags, int mode);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(byte* actions, int fd, int newFd);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(byte* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(byte* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(byte* attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(byte* attributes, byte* signals);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(byte* attributes, byte* signals);

    [LibraryImport("libc")]
    private static partial int sigemptyset(byte* signals);

    [LibraryImport("libc")]
    private static partial int sigaddset(byte* signals, int signal);

    [LibraryImport("libc")]
    private static partial int posix_spawnp(int* pid, byte* file, byte* actions, byte* attributes, nint* argv, nint* envp);
}
