using System.Buffers;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Security;
using S2cd.Tests.Support;
using S2cd.Wire;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// A real relay with an <see cref="InterceptingRelay"/> in front of it and participant daemons that reach the
/// relay only through it, for the end-to-end encryption tests. The relay link is plain TCP here so the middle
/// sees what the relay sees; what is at stake is the media encryption inside it.
/// </summary>
internal sealed class SecureCall : IAsyncDisposable
{
    public const string Session = "secret";
    private static readonly string[] Fast = ["--Relay:TimeoutSeconds", "2", "--Relay:HeartbeatSeconds", "0.5", "--Conference:Tls", "false", "--Video:Fps", "10"];
    private readonly Dictionary<string, (DaemonProcess Daemon, TestControlClient Client)> _members = [];
    private readonly TempDirectory _root;
    private DaemonProcess _relay = null!;

    private SecureCall(TempDirectory root) => _root = root;

    public InterceptingRelay Middle { get; private set; } = null!;

    public static async Task<SecureCall> StartAsync(TempDirectory root)
    {
        var call = new SecureCall(root);
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay", 0, "--Relay:Tls", "false");
        call._relay = relay;
        call.Middle = InterceptingRelay.Start(port);
        return call;
    }

    /// <summary>Starts a daemon (audio off unless <paramref name="extra"/> says otherwise) and joins it to <see cref="Session"/>.</summary>
    public async Task<TestControlClient> JoinAsync(string name, string? passphrase = null, params string[] extra)
    {
        if (!_members.TryGetValue(name, out var member))
        {
            var daemon = await DaemonProcess.StartParticipantAsync(_root, name, $"127.0.0.1:{Middle.Port}", [.. Fast, .. (extra.Length == 0 ? ["--Audio:Enabled", "false"] : extra)]);
            member = (daemon, await TestControlClient.ConnectAsync(daemon.SocketPath));
            _members[name] = member;
        }

        await member.Client.JoinAsync(Session, passphrase: passphrase);
        return member.Client;
    }

    public TestControlClient Client(string name) => _members[name].Client;

    public DaemonProcess Daemon(string name) => _members[name].Daemon;

    /// <summary>The member id the relay gave <paramref name="name"/> (seen in the middle).</summary>
    public async Task<uint> IdOfAsync(string name)
    {
        await Eventually.TrueAsync(() => Task.FromResult(Middle.Find(name) is not null), TimeSpan.FromSeconds(10), $"{name} through the middle");
        return Middle.Find(name)!.Id;
    }

    /// <summary>Waits until <paramref name="viewer"/> gets pictures from <paramref name="other"/>.</summary>
    public async Task SeesVideoAsync(string viewer, string other)
    {
        await Eventually.TrueAsync(
            async () => (await Client(viewer).WhoAsync()).FirstOrDefault(p => p.Name == other) is { VideoFps: > 0 },
            TimeSpan.FromSeconds(20),
            $"{viewer} sees {other}'s video");
    }

    public async Task<ParticipantInfo> MemberAsync(string viewer, string other) =>
        (await Client(viewer).WhoAsync()).Single(p => p.Name == other);

    /// <summary>Runs a test's body; a failure carries every daemon's log.</summary>
    public async Task WithLogsAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{ex}\n{Logs()}");
        }
    }

    /// <summary>
    /// What a relay that swaps certificates sends: a SignalForward from <paramref name="member"/> announcing
    /// <paramref name="identity"/>'s certificate, properly signed by its own key, with no passphrase proof.
    /// </summary>
    public static byte[] ForgedAnnouncement(DaemonIdentity identity, uint member)
    {
        byte[] forged = [EndToEndSession.AnnouncementSignal, .. Announcement.Create(identity, Session, member, null)];
        var signal = new ArrayBufferWriter<byte>();
        FrameWriter.WriteSignal(signal, FrameType.SignalForward, member, new ReadOnlySequence<byte>(forged));
        return signal.WrittenSpan.ToArray();
    }

    /// <summary>Every daemon's log, for a failure message.</summary>
    public string Logs() => string.Join("\n", _members.Select(m => $"--- {m.Key}\n{m.Value.Daemon.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, (daemon, client)) in _members)
        {
            await client.DisposeAsync();
            await daemon.DisposeAsync();
        }

        await Middle.DisposeAsync();
        await _relay.DisposeAsync();
    }
}
