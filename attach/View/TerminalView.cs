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
/// queueing old ones.
/// </summary>
internal sealed class TerminalView
{
    private const string EnterScreen = "\u001b[?1049h\u001b[?25l\u001b[2J";
    private const string LeaveScreen = "\u001b[0m\u001b[?25h\u001b[?1049l";
    private readonly ControlClient _client;
    private readonly ViewRequest _request;
    private readonly Stream _stdout;
    private readonly CancellationTokenSource _stop = new();

    // S2C_ATTACH_TRACE=1: one line on stderr per frame written (capture time of its newest remote picture,
    // time written), for measuring how old what the terminal shows is.
    private readonly bool _trace = Environment.GetEnvironmentVariable("S2C_ATTACH_TRACE") == "1";
    private volatile bool _resized;
    private string _exitMessage = string.Empty;
    private int _exitCode;

    public TerminalView(ControlClient client, ViewRequest request)
    {
        _client = client;
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
            var viewId = await _client.CallAsync<int>(ControlProtocol.Methods.ViewOpen, [_request], linked.Token).ConfigureAwait(false);
            var keys = TerminalView.IsInteractive ? Task.Run(() => ReadKeysAsync(linked.Token), CancellationToken.None) : Task.CompletedTask;
            await ShowAsync(viewId, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }
        catch (ConnectionLostException)
        {
            Stop(ExitCodes.Unreachable, "s2c-attach: the daemon went away");
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
        }

        if (_exitMessage.Length > 0)
        {
            Console.Error.WriteLine(_exitMessage);
        }

        return _exitCode;
    }

    private static bool IsInteractive => TerminalInfo.IsTerminal(0) && !Console.IsInputRedirected;

    private async Task ShowAsync(int viewId, CancellationToken cancellationToken)
    {
        var version = -1L;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_resized)
            {
                _resized = false;
                var (columns, rows) = TerminalInfo.Size();
                await _client.Rpc.InvokeWithCancellationAsync(ControlProtocol.Methods.ViewResize, [viewId, columns, rows], cancellationToken).ConfigureAwait(false);
            }

            var frame = await _client.CallAsync<ViewFrame>(ControlProtocol.Methods.ViewNext, [viewId, version, 500], cancellationToken).ConfigureAwait(false);
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
                switch (char.ToLowerInvariant(key.KeyChar))
                {
                    case 'q':
                        Stop(0, string.Empty);
                        return;
                    case '\u0003':
                        Stop(0, string.Empty);
                        return;
                    case 'l':
                        await _client.CallAsync<StatusResult>(ControlProtocol.Methods.Leave, [], cancellationToken).ConfigureAwait(false);
                        Stop(0, "Left the session.");
                        return;
                    case 'm':
                        var status = await _client.CallAsync<StatusResult>(ControlProtocol.Methods.Status, [], cancellationToken).ConfigureAwait(false);
                        await _client.CallAsync<StatusResult>(ControlProtocol.Methods.SetMuted, [!status.Muted], cancellationToken).ConfigureAwait(false);
                        break;
                    case 'v':
                        var current = await _client.CallAsync<StatusResult>(ControlProtocol.Methods.Status, [], cancellationToken).ConfigureAwait(false);
                        await _client.CallAsync<StatusResult>(ControlProtocol.Methods.SetCamera, [!current.CameraOn], cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
            catch (RemoteInvocationException)
            {
                // Leave when not in a session, for example: the status line already says so.
            }
            catch (Exception ex) when (ex is OperationCanceledException or ConnectionLostException or ObjectDisposedException)
            {
                return;
            }
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
