using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Transport;
using S2cd.Relay;
using S2cd.Video;
using StreamJsonRpc;

namespace S2cd.Control;

/// <summary>
/// The control socket: a Unix-domain socket (mode 0660, group <see cref="ControlOptions.Group"/>) on which
/// any number of clients, up to <see cref="ControlOptions.MaxClients"/>, speak newline-delimited JSON-RPC.
/// It listens before the host reports ready, so READY=1 means clients can connect.
/// </summary>
internal sealed partial class ControlServer : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);
    private readonly ControlOptions _options;
    private readonly DaemonOptions _daemon;
    private readonly ConferenceParts? _parts;
    private readonly Func<StatusResult> _relayStatus;
    private readonly EventHub _events;
    private readonly VideoOptions _video;
    private readonly Audio.AudioOptions _audio;
    private readonly TimeProvider _time;
    private readonly ILogger<ControlServer> _logger;
    private Listener? _listener;

    public ControlServer(
        IOptions<ControlOptions> options,
        IOptions<DaemonOptions> daemon,
        EventHub events,
        IRelayFigures relay,
        IOptions<ConferenceOptions> conference,
        IOptions<VideoOptions> video,
        IOptions<Audio.AudioOptions> audio,
        TimeProvider time,
        ILogger<ControlServer> logger,
        ConferenceParts? parts = null)
    {
        _parts = parts;
        var name = conference.Value.ResolveName();
        _relayStatus = () => StatusComposer.OfRelay(name, relay.Figures());
        _video = video.Value;
        _audio = audio.Value;
        _options = options.Value;
        _daemon = daemon.Value;
        _events = events;
        _time = time;
        _logger = logger;
        SocketPath = _options.ResolveSocketPath(_daemon.IsRelay);
    }

    public string SocketPath { get; }

    public int ClientCount => _listener?.Count ?? 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(SocketPath)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        RemoveStaleSocket();
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        ApplyGroup();
        _listener = Listener.Start(listener, 64, _options.MaxClients, ServeClientAsync, LogAcceptFailed, () => LogTooManyClients(_options.MaxClients));
        LogListening(SocketPath);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is not { Stopping: false } listener)
        {
            return;
        }

        await listener.StopAsync(cancellationToken).ConfigureAwait(false);

        // Only the daemon that bound the socket (it has a listener) removes it: one that found it taken leaves it alone.
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void RemoveStaleSocket()
    {
        if (!File.Exists(SocketPath))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(SocketPath));
                throw new InvalidOperationException($"another s2cd is already listening on {SocketPath}");
            }
            catch (SocketException)
            {
                // Nobody listens: a socket left behind by a daemon that did not stop cleanly.
            }
        }

        File.Delete(SocketPath);
    }

    private void ApplyGroup()
    {
        if (string.IsNullOrEmpty(_options.Group))
        {
            return;
        }

        var gid = UnixGroups.FindGroupId(_options.Group);
        if (gid is null)
        {
            LogGroupMissing(_options.Group, SocketPath);
            return;
        }

        // The socket is made in the process's group: as the units run the daemon (Group=s2c), nothing to change,
        // and their system call filter would refuse chown.
        if (gid.Value != Interop.Libc.getegid() && Interop.Libc.chown(SocketPath, -1, gid.Value) != 0)
        {
            LogGroupNotApplied(_options.Group, SocketPath, System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage());
        }
    }

    private async Task ServeClientAsync(Socket socket, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var peer = PeerCredentials.TryGet(socket);
        LogClientConnected(peer?.Uid ?? -1, peer?.Pid ?? -1);
        var stream = new LineLimitStream(new NetworkStream(socket, ownsSocket: true), ControlProtocol.MaxMessageBytes);
        var formatter = ControlJson.CreateFormatter();
        var handler = new NewLineDelimitedMessageHandler(stream, stream, formatter);
        JsonRpc? rpc = null;
        var session = new ControlSession(_parts, _relayStatus, _events, _daemon, _video, _audio, _time, _logger, () => rpc?.Dispose());
        rpc = new JsonRpc(handler);

        // Events go through the contract's generated proxy, as notifications; the next waits until the client has
        // taken this one, so a client that does not read fills its subscription and is closed (EventHub).
        var events = rpc.Attach<IControlEvents>();
        session.Notify = e =>
        {
            events.Event(e);
            return stream.WhenWrittenAsync();
        };
        rpc.AddLocalRpcTarget(RpcTargetMetadata.FromShape<IControlService>(), session, new JsonRpcTargetOptions { AllowNonPublicInvocation = false, DisposeOnDisconnect = false });
        rpc.CancelLocallyInvokedMethodsWhenConnectionIsClosed = true;
        try
        {
            rpc.StartListening();
            using var registration = cancellationToken.Register(rpc.Dispose);
            var completion = rpc.Completion;
            var first = await Task.WhenAny(completion, Task.Delay(HelloTimeout, _time, cancellationToken)).ConfigureAwait(false);
            if (first != completion && !session.Greeted)
            {
                LogNoHello(peer?.Uid ?? -1, peer?.Pid ?? -1);
                rpc.Dispose();
            }

            await completion.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogClientDropped(peer?.Uid ?? -1, peer?.Pid ?? -1, ex.GetBaseException().Message);
        }
        finally
        {
            session.Detach();
            rpc.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
            LogClientDisconnected(peer?.Uid ?? -1, peer?.Pid ?? -1);
        }
    }

    [LoggerMessage(EventId = LogEvents.Listening, Level = LogLevel.Information, Message = "Control socket listens on {Path}")]
    private partial void LogListening(string path);

    [LoggerMessage(EventId = LogEvents.ClientConnected, Level = LogLevel.Information, Message = "Control client connected: uid {Uid}, pid {Pid}")]
    private partial void LogClientConnected(int uid, int pid);

    [LoggerMessage(EventId = LogEvents.ClientDisconnected, Level = LogLevel.Debug, Message = "Control client disconnected: uid {Uid}, pid {Pid}")]
    private partial void LogClientDisconnected(int uid, int pid);

    [LoggerMessage(EventId = LogEvents.ClientDropped, Level = LogLevel.Warning, Message = "Control client uid {Uid}, pid {Pid} dropped: {Reason}")]
    private partial void LogClientDropped(int uid, int pid, string reason);

    [LoggerMessage(EventId = LogEvents.TooManyClients, Level = LogLevel.Warning, Message = "Turned a control client away: {Max} are connected already")]
    private partial void LogTooManyClients(int max);

    [LoggerMessage(EventId = LogEvents.GroupMissing, Level = LogLevel.Warning, Message = "Group {Group} does not exist; {Path} keeps the daemon's group. Create it to let its members use s2c-attach")]
    private partial void LogGroupMissing(string group, string path);

    [LoggerMessage(EventId = LogEvents.GroupNotApplied, Level = LogLevel.Warning, Message = "Could not give {Path} to group {Group}: {Reason}")]
    private partial void LogGroupNotApplied(string group, string path, string reason);

    [LoggerMessage(EventId = LogEvents.AcceptFailed, Level = LogLevel.Warning, Message = "Accept on the control socket failed: {Reason}")]
    private partial void LogAcceptFailed(string reason);

    [LoggerMessage(EventId = LogEvents.NoHello, Level = LogLevel.Warning, Message = "Control client uid {Uid}, pid {Pid} said no hello in time; closing it")]
    private partial void LogNoHello(int uid, int pid);
}
