using System.Runtime.InteropServices;
using S2cd.Contract;
using S2cAttach.View;
using StreamJsonRpc;

namespace S2cAttach.Share;

/// <summary>
/// <c>s2c-attach share</c>: runs a program on a pseudo-terminal inside the terminal it is called from (the sharer works
/// in it as usual: its output is written here as it comes, the keys go to it raw) and streams its screen to the call.
/// libvterm keeps the screen; what changed goes to the daemon as a <see cref="ScreenUpdate"/> as soon as the program
/// has written (after 5 ms for the rest of a burst; at least every 50 ms for a resize), within a budget of
/// <see cref="BytesPerSecond"/> (a flood of output skips to the newest screen, never queues), with a keepalive every two
/// seconds when nothing changes, a full state when the daemon asks and every ten seconds while the screen changes (so
/// a viewer that went wrong somehow is put right without asking). Ends when the program ends, or with Ctrl-] (the
/// program is hung up).
/// </summary>
internal sealed partial class ShareSession(ControlClient client, IReadOnlyList<string> argv, (int Cols, int Rows) notOnATerminal)
{
    /// <summary>The most bytes a second of updates a share sends.</summary>
    public const int BytesPerSecond = 16 * 1024;

    private const byte EndKey = 0x1D;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    // After the program writes, this long for the rest of what it writes at once (a redraw comes in several writes).
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(5);
    private readonly SemaphoreSlim _wrote = new(0, 1);
    private static readonly TimeSpan Keepalive = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FullEvery = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private volatile bool _dirty = true;
    private volatile bool _ended;
    private volatile bool _resized;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (VirtualTerminal.Missing() is { } missing)
        {
            Console.Error.WriteLine($"s2c-attach: {missing}");
            return ExitCodes.Refused;
        }

        // Refused before the program starts, rather than after it has.
        if ((await client.Daemon.StatusAsync(cancellationToken).ConfigureAwait(false)).Session is null)
        {
            Console.Error.WriteLine("s2c-attach: not in a session: join one first");
            return ExitCodes.Refused;
        }

        var interactive = TerminalInfo.IsTerminal(0);
        var (cols, rows) = interactive ? TerminalInfo.Size() : notOnATerminal;
        using var terminal = new VirtualTerminal(cols, rows);
        using var pty = Pty.Start(argv, terminal.Cols, terminal.Rows);
        Console.Out.Write($"Sharing {string.Join(' ', argv)} with the call ({terminal.Cols}×{terminal.Rows}); Ctrl-] ends the share.\r\n");
        Console.Out.Flush();
        using var winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            _resized = true;
        });

        string? problem;
        using (RawMode.Enter())
        {
            var output = new Thread(() => Pump(pty, terminal)) { IsBackground = true, Name = "share output" };
            var input = new Thread(() => Keys(pty)) { IsBackground = true, Name = "share keys" };
            output.Start();
            input.Start();
            problem = await SendAsync(pty, terminal, interactive, cancellationToken).ConfigureAwait(false);
            output.Join(TimeSpan.FromSeconds(2));
        }

        var code = pty.Wait();
        Console.Out.WriteLine(problem is null ? "Share ended." : $"Share ended: {problem}");
        return problem is null ? code : ExitCodes.Refused;
    }

    /// <summary>What the program writes: to this terminal, and to the emulator.</summary>
    private void Pump(Pty pty, VirtualTerminal terminal)
    {
        using var stdout = Console.OpenStandardOutput();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = pty.Read(buffer)) > 0)
        {
            try
            {
                stdout.Write(buffer, 0, read);
                stdout.Flush();
            }
            catch (IOException)
            {
                // The sharer's terminal went; the share goes on until the program ends.
            }

            lock (_gate)
            {
                terminal.Write(buffer.AsSpan(0, read));
                _dirty = true;
            }

            Wake();
        }

        _ended = true;
        Wake();
    }

    /// <summary>The sharer's keys, to the program; Ctrl-] hangs it up.</summary>
    private static void Keys(Pty pty)
    {
        var buffer = new byte[4096];
        int read;
        while ((read = Pty.Read(0, buffer)) > 0)
        {
            var at = buffer.AsSpan(0, read).IndexOf(EndKey);
            pty.Write(buffer.AsSpan(0, at < 0 ? read : at));
            if (at >= 0)
            {
                _ = kill(pty.Pid, 1);
                return;
            }
        }
    }

    /// <summary>Sends the screen as it changes until the program ends; the reason when the daemon refused it.</summary>
    private async Task<string?> SendAsync(Pty pty, VirtualTerminal terminal, bool interactive, CancellationToken cancellationToken)
    {
        ScreenGrid? shown = null;
        var full = true;
        var fullAt = DateTime.UtcNow;
        var changedSinceFull = false;
        var sentAt = DateTime.UtcNow - Keepalive;
        var nextAt = DateTime.UtcNow;
        try
        {
            while (!_ended && !cancellationToken.IsCancellationRequested)
            {
                // At once when the program writes (a key's echo goes out in milliseconds), else every tick for a resize,
                // a keepalive or a full state asked for.
                if (await _wrote.WaitAsync(Tick, cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(Gather, cancellationToken).ConfigureAwait(false);
                }

                if (_resized && interactive)
                {
                    _resized = false;
                    var (cols, rows) = TerminalInfo.Size();
                    lock (_gate)
                    {
                        terminal.Resize(cols, rows);
                        pty.Resize(terminal.Cols, terminal.Rows);
                        _dirty = true;
                    }
                }

                var now = DateTime.UtcNow;
                if (now < nextAt || (!_dirty && !full && now - sentAt < Keepalive))
                {
                    continue;
                }

                ScreenGrid screen;
                lock (_gate)
                {
                    screen = terminal.Snapshot((shown?.Sequence ?? 0) + 1);
                    _dirty = false;
                }

                if (!full && shown is not null && shown.Cols == screen.Cols && shown.Rows == screen.Rows && shown.Cells.AsSpan().SequenceEqual(screen.Cells))
                {
                    // Nothing changed: a keepalive (an empty diff on the state the others have).
                    screen.Sequence = shown.Sequence;
                }
                else
                {
                    changedSinceFull = true;
                    full |= changedSinceFull && now - fullAt >= FullEvery;
                }

                if (full)
                {
                    (fullAt, changedSinceFull) = (now, false);
                }

                var update = ScreenUpdate.Encode(full ? null : shown, screen, full);
                if (update.Length > ScreenUpdate.MaxBytes)
                {
                    // A screen too colourful for one update (it takes a lot): its text alone, in full.
                    foreach (ref var cell in screen.Cells.AsSpan())
                    {
                        cell = cell with { Fg = ScreenCell.DefaultColor, Bg = ScreenCell.DefaultColor, Style = CellStyle.None };
                    }

                    update = ScreenUpdate.Encode(null, screen, full: true);
                }

                var answer = await client.Daemon.ShareUpdateAsync(update, cancellationToken).ConfigureAwait(false);
                (shown, full, sentAt) = (screen, answer.FullWanted, DateTime.UtcNow);
                nextAt = sentAt + TimeSpan.FromSeconds(update.Length / (double)BytesPerSecond);
            }

            await client.Daemon.ShareUpdateAsync(ScreenUpdate.Ended(shown?.Sequence ?? 0), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RemoteInvocationException ex)
        {
            _ = kill(pty.Pid, 1);
            return ex.Message;
        }
        catch (Exception ex) when (ex is ConnectionLostException or ObjectDisposedException)
        {
            _ = kill(pty.Pid, 1);
            return "the daemon went away";
        }
    }

    private void Wake()
    {
        try
        {
            if (_wrote.CurrentCount == 0)
            {
                _wrote.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);
}
