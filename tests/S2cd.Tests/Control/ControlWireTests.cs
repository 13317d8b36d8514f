using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using S2cd.Tests.Support;

namespace S2cd.Tests.Control;

/// <summary>
/// The control API as a client written from the documentation (packaging/doc/architecture.md) speaks it: newline-delimited JSON-RPC 2.0 lines on a raw
/// Unix socket, no StreamJsonRpc on this side. Every method of the contract is called with today's names and
/// argument shapes, and every refusal comes back with its code and a message.
/// </summary>
public sealed class ControlWireTests
{
    [Fact(Timeout = 90_000)]
    public async Task EveryMethod_AsRawJsonLines_AnswersInItsShape_AndRefusalsCarryTheirCodes()
    {
        using var root = new TempDirectory();
        await using var daemon = DaemonProcess.Start(root, "wire", ["--name", "wire", "--listen", "127.0.0.1:0", "--Audio:Enabled", "false"]);
        await daemon.WaitReadyAsync();
        using var wire = await RawJsonRpc.ConnectAsync(daemon.SocketPath);

        Assert.Equal(1, (await wire.ErrorAsync("status")).Code);
        var mismatch = await wire.ErrorAsync("hello", 99, "raw");
        Assert.Equal(1, mismatch.Code);
        Assert.Contains("control protocol 1", mismatch.Message, StringComparison.Ordinal);
        var hello = await wire.CallAsync("hello", 1, "raw");
        Assert.Equal((1, "participant"), ((int)hello["protocolVersion"]!, (string)hello["role"]!));
        Assert.NotNull(await wire.CallAsync("hello", 1));

        var status = await wire.CallAsync("status");
        Assert.Equal("idle", (string)status["connection"]!);
        Assert.IsType<JsonArray>(await wire.CallAsync("participants"));
        Assert.IsType<JsonArray>((await wire.CallAsync("devices"))["cameras"]);

        Assert.True((bool)(await wire.CallAsync("setMuted", true))["muted"]!);
        Assert.False((bool)(await wire.CallAsync("toggleMuted"))["muted"]!);
        Assert.True((bool)(await wire.CallAsync("toggleMuted"))["muted"]!);
        Assert.False((bool)(await wire.CallAsync("setCamera", false))["cameraOn"]!);
        Assert.True((bool)(await wire.CallAsync("toggleCamera"))["cameraOn"]!);
        Assert.Equal(-32602, (await wire.ErrorAsync("setMuted", "yes")).Code);

        var badJoin = await wire.ErrorAsync("join", new JsonObject { ["session"] = "bad name" });
        Assert.Equal(2, badJoin.Code);
        Assert.Contains("only letters", badJoin.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await wire.ErrorAsync("leave")).Code);
        Assert.Equal(3, (await wire.ErrorAsync("setVolume", "alice", 50)).Code);
        Assert.Equal(("none", "voice"), ((string)status["audioProcessing"]!, (string)status["transmit"]!));
        var joined = await wire.CallAsync("join", new JsonObject { ["session"] = "wire", ["relay"] = (string)status["relayListen"]! });
        Assert.Equal(("wire", "connected"), ((string)joined["session"]!, (string)joined["connection"]!));
        var nobody = await wire.ErrorAsync("setVolume", "nobody", 50);
        Assert.Equal(2, nobody.Code);
        Assert.Contains("nobody named 'nobody'", nobody.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await wire.ErrorAsync("setVolume", "nobody", 500)).Code);
        Assert.Equal(-32602, (await wire.ErrorAsync("setVolume", "nobody", "loud")).Code);

        // Subscribed, a change comes back as an "event" notification: no id, the event as the one parameter.
        Assert.NotNull((await wire.CallAsync("subscribe"))["connection"]);
        await wire.CallAsync("toggleMuted");
        var notification = await wire.NotificationAsync();
        Assert.Equal("event", (string)notification["method"]!);
        Assert.False((bool)notification["params"]![0]!["status"]!["muted"]!);

        Assert.Equal(2, (await wire.ErrorAsync("viewOpen", new JsonObject { ["columns"] = 3, ["rows"] = 2 })).Code);
        var view = (int)await wire.CallAsync("viewOpen", new JsonObject { ["columns"] = 80, ["rows"] = 24, ["mode"] = "ascii" });
        var frame = await wire.CallAsync("viewNext", view, 0, 2000);
        Assert.True((long)frame["version"]! > 0);
        Assert.False(string.IsNullOrEmpty((string)frame["data"]!));
        Assert.Null(await wire.ResultAsync("viewResize", view, 100, 30));
        Assert.Equal(2, (await wire.ErrorAsync("viewResize", view, 1, 1)).Code);
        Assert.Null(await wire.ResultAsync("viewClose", view));
        Assert.Contains($"no view {view}", (await wire.ErrorAsync("viewNext", view, 0, 10)).Message, StringComparison.Ordinal);

        // Two terminals pressing m at once: every toggle counts, none undoes another's read.
        using var other = await RawJsonRpc.ConnectAsync(daemon.SocketPath);
        await other.CallAsync("hello", 1, "other");
        var before = (bool)(await wire.CallAsync("status"))["muted"]!;
        await Task.WhenAll(Toggle(wire, 25), Toggle(other, 24));
        Assert.Equal(!before, (bool)(await other.CallAsync("status"))["muted"]!);

        Assert.Null((await wire.CallAsync("leave"))["session"]);
        Assert.Equal(-32601, (await wire.ErrorAsync("frobnicate")).Code);
        Assert.False(daemon.HasExited, daemon.Output);
    }

    private static async Task Toggle(RawJsonRpc client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await client.CallAsync("toggleMuted");
        }
    }

    /// <summary>A JSON-RPC client of a few lines: what anyone could write from the documentation.</summary>
    private sealed class RawJsonRpc : IDisposable
    {
        private readonly Socket _socket;
        private readonly StreamReader _reader;
        private readonly Queue<JsonNode> _notifications = [];
        private int _id;

        private RawJsonRpc(Socket socket)
        {
            _socket = socket;
            _reader = new StreamReader(new NetworkStream(socket), Encoding.UTF8);
        }

        public static async Task<RawJsonRpc> ConnectAsync(string path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            return new RawJsonRpc(socket);
        }

        /// <summary>The result of a call that must succeed with one.</summary>
        public async Task<JsonNode> CallAsync(string method, params JsonNode?[] parameters) =>
            await ResultAsync(method, parameters) ?? throw new Xunit.Sdk.XunitException($"{method} answered null");

        /// <summary>The result of a call that must succeed: null for the methods that return nothing.</summary>
        public async Task<JsonNode?> ResultAsync(string method, params JsonNode?[] parameters)
        {
            var answer = await SendAsync(method, parameters);
            Assert.True(answer["error"] is null, $"{method}: {answer.ToJsonString()}");
            return answer["result"];
        }

        /// <summary>The error of a call that must be refused.</summary>
        public async Task<(int Code, string Message)> ErrorAsync(string method, params JsonNode?[] parameters)
        {
            var answer = await SendAsync(method, parameters);
            var error = answer["error"] ?? throw new Xunit.Sdk.XunitException($"{method} was not refused: {answer.ToJsonString()}");
            return ((int)error["code"]!, (string)error["message"]!);
        }

        public async Task<JsonNode> NotificationAsync() => _notifications.Count > 0 ? _notifications.Dequeue() : await ReadAsync();

        public void Dispose()
        {
            _reader.Dispose();
            _socket.Dispose();
        }

        private async Task<JsonNode> SendAsync(string method, JsonNode?[] parameters)
        {
            var id = ++_id;
            var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = new JsonArray(parameters) };
            await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n"));
            while (true)
            {
                var message = await ReadAsync();
                Assert.Equal("2.0", (string)message["jsonrpc"]!);
                if (message["id"] is null)
                {
                    _notifications.Enqueue(message);
                    continue;
                }

                Assert.Equal(id, (int)message["id"]!);
                return message;
            }
        }

        private async Task<JsonNode> ReadAsync()
        {
            var line = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15)) ?? throw new Xunit.Sdk.XunitException("the daemon closed the connection");
            return JsonNode.Parse(line) ?? throw new JsonException("null message");
        }
    }
}
