using System.Net.Sockets;
using System.Threading.Channels;
using S2cd.Contract;
using StreamJsonRpc;

namespace S2cd.Tests.Support;

/// <summary>A control-socket client for tests, speaking the contract the way s2c-attach does.</summary>
public sealed class TestControlClient : IAsyncDisposable
{
    private readonly JsonRpc _rpc;

    private TestControlClient(JsonRpc rpc) => _rpc = rpc;

    public Channel<ControlEvent> Events { get; } = Channel.CreateUnbounded<ControlEvent>();

    public JsonRpc Rpc => _rpc;

    public static async Task<TestControlClient> ConnectAsync(string socketPath, bool hello = true)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var rpc = new JsonRpc(new NewLineDelimitedMessageHandler(stream, stream, ControlJson.CreateFormatter()));
        var client = new TestControlClient(rpc);
        rpc.AddLocalRpcMethod(ControlProtocol.Methods.EventNotification, new Action<ControlEvent>(e => client.Events.Writer.TryWrite(e)));
        rpc.StartListening();
        if (hello)
        {
            await rpc.InvokeAsync<HelloResult>(ControlProtocol.Methods.Hello, ControlProtocol.Version, "tests").ConfigureAwait(false);
        }

        return client;
    }

    public Task<StatusResult> StatusAsync() => _rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Status);

    public Task<StatusResult> SetMutedAsync(bool muted) => _rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetMuted, muted);

    public Task<ParticipantInfo[]> WhoAsync() => _rpc.InvokeAsync<ParticipantInfo[]>(ControlProtocol.Methods.Participants);

    public Task<StatusResult> JoinAsync(string session, string? name = null, string? relay = null, string? passphrase = null) =>
        _rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.Join, new JoinRequest { Session = session, Name = name, Relay = relay, Passphrase = passphrase });

    public Task<ChatMessage> SayAsync(string text) => _rpc.InvokeAsync<ChatMessage>(ControlProtocol.Methods.Say, text);

    public Task<ChatMessage[]> ChatAsync(long afterId = 0, int timeoutMs = 0) => _rpc.InvokeAsync<ChatMessage[]>(ControlProtocol.Methods.Chat, afterId, timeoutMs);

    public Task<ScreenText> ScreenAsync(string name, bool ansi = false) => _rpc.InvokeAsync<ScreenText>(ControlProtocol.Methods.Screen, name, ansi);

    /// <summary>
    /// Waits until each of <paramref name="others"/> holds this member's newest end-to-end key (unencrypted: sees it),
    /// so that what it sends now opens everywhere.
    /// </summary>
    public async Task KeyHeldByAsync(params TestControlClient[] others)
    {
        await Eventually.TrueAsync(
            async () =>
            {
                var self = (await WhoAsync().ConfigureAwait(false)).Single(p => p.IsSelf);
                foreach (var other in others)
                {
                    if ((await other.WhoAsync().ConfigureAwait(false)).FirstOrDefault(p => p.Id == self.Id) is not { } seen || seen.KeyId != self.KeyId)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(20),
            $"{others.Length} others hold the key of member").ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        return ValueTask.CompletedTask;
    }
}
