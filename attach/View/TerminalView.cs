using System.Runtime.InteropServices;
using System.Text;
using S2cd.Contract;
using StreamJsonRpc;

namespace S2cAttach.View;

/// <summary>
/// The full-screen view: the alternate screen with the cursor hidden, frames from the daemon written as
/// they come, keys read from the terminal. The terminal is restored on every way out: q, l, Ctrl-C,
/// SIGTERM, SIGHUP, the daemon going away. A frame is asked for only when the previous one has been
/// written, so a slow output (an SSH link, a throttled pipe) skips to the newest picture instead of
/// queueing old ones. When the daemon restarts (a crash, its watchdog, an upgrade) the view says so and
/// reconnects by itself, for as long as the socket comes back within <see cref="RestartWait"/>.
/// </summary>
internal sealed class TerminalView
{
    private const string EnterScreen = "\u001b[?1049h\u001b[?25l\u001b[2J";
    private const string LeaveScreen = "\u001b[0m\u001b[?25h\u001b[?1049l";
    private static readonly TimeSpan RestartWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);
    private readonly Func<CancellationToken, Task<ControlClient>> _connect;
    private readonly List<ControlClient> _reconnected = [];
    private readonly ViewRequest _request;
    private volatile ControlClient _client;
    private readonly Stream _stdout;
    private readonly CancellationTokenSource _stop = new();

    // S2C_ATTACH_TRACE=1: one line on stderr per frame written (capture time of its newest remote picture,
    // time written), for measuring how old what the terminal shows is.
    private readonly bool _trace = Environment.GetEnvironmentVariable("S2C_ATTACH_TRACE") == "1";
    private volatile bool _resized;
    private volatile int _viewId = -1;

    // Kept here so that a view opened again after the daemon restarted keeps them.
    private volatile ViewSettings _keys = new() { Help = false, Chat = true, ScreenFull = false, FrameRate = ViewSettings.Unpaced };

    // The chat input line (t); read and changed by the key loop only.
    private readonly ChatInput _input = new();
    private string _exitMessage = string.Empty;
    private int _exitCode;

    /// <param name="client">The connection the view starts on (its owner disposes it).</param>
    /// <param name="connect">Connects again to the same socket, after the daemon restarted.</param>
    /// <param name="request">The view asked for.</param>
    public TerminalView(ControlClient client, Func<CancellationToken, Task<ControlClient>> connect, ViewRequest request)
    {
        _client = client;
        _connect = connect;
        _request = request;
        _stdout = Console.OpenStandardOutput();
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Stop(0, string.Empty);
            }));
        }

        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            _resized = true;
        }));

        ShrinkPipeBuffer();
        Write(EnterScreen);
        try
        {
            var keys = TerminalView.IsInteractive ? Task.Run(() => ReadKeysAsync(linked.Token), CancellationToken.None) : Task.CompletedTask;
            await ShowUntilStoppedAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
        catch (RemoteInvocationException ex)
        {
            Stop(ExitCodes.Refused, $"s2c-attach: {ex.Message}");
        }
        catch (IOException)
        {
            // The terminal went away (SSH link dropped): nothing left to restore.
            Stop(0, string.Empty);
        }
        finally
        {
            TryWrite(LeaveScreen);
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }

            foreach (var client in _reconnected)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (_exitMessage.Length > 0)
        {
            Console.Error.WriteLine(_exitMessage);
        }

        return _exitCode;
    }

    private static bool IsInteractive => TerminalInfo.IsTerminal(0) && !Console.IsInputRedirected;

    /// <summary>Opens the view and shows it; when the daemon goes away, waits for it to come back and opens it again.</summary>
    private async Task ShowUntilStoppedAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (columns, rows) = TerminalInfo.Size();
                var request = _request with { Columns = Math.Clamp(columns, 8, 1000), Rows = Math.Clamp(rows, 4, 400) };
                var viewId = await _client.Daemon.ViewOpenAsync(request, cancellationToken).ConfigureAwait(false);
                if (_keys.Help == true || _keys.Chat == false || _keys.ScreenFull == true || _input.IsOpen || _keys.FrameRate != ViewSettings.Unpaced)
                {
                    await _client.Daemon.ViewSetAsync(viewId, Settings(), cancellationToken).ConfigureAwait(false);
                }

                _viewId = viewId;
                await ShowAsync(viewId, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionLostException)
            {
                if (!await ReconnectAsync(cancellationToken).ConfigureAwait(false))
                {
                    Stop(ExitCodes.Unreachable, "s2c-attach: the daemon went away");
                    return;
                }
            }
        }
    }

    /// <summary>Says the daemon is restarting and tries its socket until it answers, or <see cref="RestartWait"/> has passed.</summary>
    private async Task<bool> ReconnectAsync(CancellationToken cancellationToken)
    {
        var (columns, rows) = TerminalInfo.Size();
        const string Notice = "daemon restarting: reconnecting…";
        var column = Math.Max(1, ((columns - Notice.Length) / 2) + 1);
        Write($"\u001b[0m\u001b[2J\u001b[{Math.Max(1, rows / 2)};{column}H{Notice}");
        var deadline = DateTime.UtcNow + RestartWait;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(RetryEvery, cancellationToken).ConfigureAwait(false);
            try
            {
                var client = await _connect(cancellationToken).ConfigureAwait(false);
                _reconnected.Add(client);
                _client = client;
                Write("\u001b[2J");
                return true;
            }
            catch (DaemonUnreachableException)
            {
            }
        }

        return false;
    }

    private async Task ShowAsync(int viewId, CancellationToken cancellationToken)
    {
        var version = -1L;
        _resized = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_resized)
            {
                _resized = false;
                var (columns, rows) = TerminalInfo.Size();
                await _client.Daemon.ViewResizeAsync(viewId, columns, rows, cancellationToken).ConfigureAwait(false);
            }

            var frame = await _client.Daemon.ViewNextAsync(viewId, version, 500, cancellationToken).ConfigureAwait(false);
            version = frame.Version;
            if (frame.Data.Length > 0)
            {
                Write(frame.Data);
                if (_trace)
                {
                    var now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
                    Console.Error.WriteLine($"frame {frame.Version} captured {frame.NewestCaptureUnixMicroseconds ?? 0} written {now}");
                }
            }
        }
    }

    private async Task ReadKeysAsync(CancellationToken cancellationToken)
    {
        Console.TreatControlCAsInput = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsoleKeyInfo key;
            try
            {
                key = Console.ReadKey(intercept: true);
            }
            catch (InvalidOperationException)
            {
                return;
            }

            try
            {
                if (_input.IsOpen && key.KeyChar != '\u0003')
                {
                    await TypeAsync(key, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                switch (char.ToLowerInvariant(key.KeyChar))
                {
                    case 't':
                        _input.IsOpen = true;
                        await SetViewAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case 'c':
                        _keys = _keys with { Chat = _keys.Chat != true };
                        await SetViewAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case 's':
                        _keys = _keys with { ScreenFull = _keys.ScreenFull != true };
                        await SetViewAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case 'q':
                        Stop(0, string.Empty);
                        return;
                    case '\u0003':
                        Stop(0, string.Empty);
                        return;
                    case 'l':
                        await _client.Daemon.LeaveAsync(cancellationToken).ConfigureAwait(false);
                        Stop(0, "Left the session.");
                        return;
                    case 'm':
                        await _client.Daemon.ToggleMutedAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case 'v':
                        await _client.Daemon.ToggleCameraAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case '?':
                        _keys = _keys with { Help = _keys.Help != true };
                        await SetViewAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case '+' or '=':
                        _keys = _keys with { FrameRate = ViewSettings.Step(_keys.FrameRate ?? ViewSettings.Unpaced, up: true) };
                        await SetViewAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case '-':
                        _keys = _keys with { FrameRate = ViewSettings.Step(_keys.FrameRate ?? ViewSettings.Unpaced, up: false) };
                        await SetViewAsync(cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
            catch (RemoteInvocationException)
            {
                // Leave when not in a session, for example: the status line already says so.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ConnectionLostException or ObjectDisposedException)
            {
                // The daemon is restarting: the view reconnects, and the next key goes to the new one.
            }
        }
    }

    /// <summary>
    /// A key while the input line is open: it edits the draft (shown by the daemon), Esc closes the line, Enter sends
    /// the message; a refused message stays on the line with the daemon's reason before it.
    /// </summary>
    private async Task TypeAsync(ConsoleKeyInfo key, CancellationToken cancellationToken)
    {
        switch (_input.Apply(key))
        {
            case ChatInput.Outcome.Unchanged:
                return;
            case ChatInput.Outcome.Cancel:
                CloseInput();
                break;
            case ChatInput.Outcome.Send when _input.Text.Trim().Length == 0:
                CloseInput();
                break;
            case ChatInput.Outcome.Send:
                try
                {
                    await _client.Daemon.SayAsync(_input.Text, cancellationToken).ConfigureAwait(false);
                    CloseInput();
                }
                catch (RemoteInvocationException ex)
                {
                    _input.Notice = ex.Message;
                }

                break;
            default:
                _input.Notice = null;
                break;
        }

        await SetViewAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CloseInput()
    {
        _input.Close();
    }

    /// <summary>What this view asks of the daemon's: keys, chat strip, input line, frame rate.</summary>
    private ViewSettings Settings() => _keys with
    {
        Typing = _input.IsOpen,
        Draft = _input.IsOpen ? _input.Shown : null,
        Notice = _input.Notice ?? string.Empty,
    };

    /// <summary>The view's settings, to the open view (a view opened later gets them when it opens).</summary>
    private async Task SetViewAsync(CancellationToken cancellationToken)
    {
        if (_viewId >= 0)
        {
            await _client.Daemon.ViewSetAsync(_viewId, Settings(), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Stop(int code, string message)
    {
        if (!_stop.IsCancellationRequested)
        {
            _exitCode = code;
            _exitMessage = message;
            _stop.Cancel();
        }
    }

    private void Write(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        _stdout.Write(bytes);
        _stdout.Flush();
    }

    private void TryWrite(string text)
    {
        try
        {
            Write(text);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// When stdout is a pipe, keep its kernel buffer small: what waits there is already old, and with a
    /// slow reader a 64 KB buffer alone would hold a second of pictures.
    /// </summary>
    private static void ShrinkPipeBuffer()
    {
        if (!TerminalInfo.IsTerminal(1))
        {
            _ = Interop.fcntl(1, Interop.F_SETPIPE_SZ, 4096);
        }
    }
}
