using S2cd.Contract;
using S2cd.Impair;

namespace S2cd.Tests.Support;

/// <summary>A relay and daemons with audio rigs, all joined to one session.</summary>
internal sealed class AudioCall : IAsyncDisposable
{
    private readonly TempDirectory _root;
    private readonly DaemonProcess _relay;
    private readonly Dictionary<string, (DaemonProcess Daemon, AudioRig Rig, TestControlClient Client)> _members = [];
    private readonly Member _options;

    private AudioCall(TempDirectory root, DaemonProcess relay, Member options)
    {
        _root = root;
        _relay = relay;
        _options = options;
    }

    public LinkImpairer? Impairer { get; private set; }

    public static Task<AudioCall> StartAsync(TempDirectory root, string[] names, params string[] relayArgs) =>
        StartAsync(root, names, null, Member.Tone, relayArgs);

    /// <summary>A call whose members start as <paramref name="options"/> says: their rig, their daemon's arguments.</summary>
    public static Task<AudioCall> StartAsync(TempDirectory root, string[] names, Member options, params string[] relayArgs) =>
        StartAsync(root, names, impaired: null, options, relayArgs);

    /// <summary>A call in which <paramref name="impaired"/>'s member reaches the relay through the link impairer.</summary>
    public static Task<AudioCall> StartAsync(TempDirectory root, string[] names, (string Name, UdpImpairment Udp)? impaired, params string[] relayArgs) =>
        StartAsync(root, names, impaired, Member.Tone, relayArgs);

    private static async Task<AudioCall> StartAsync(TempDirectory root, string[] names, (string Name, UdpImpairment Udp)? impaired, Member options, string[] relayArgs)
    {
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay", 0, relayArgs);
        var call = new AudioCall(root, relay, options);
        try
        {
            if (impaired is { } link)
            {
                call.Impairer = LinkImpairer.Start(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
                call.Impairer.Udp = link.Udp;
            }

            await call.JoinAllAsync(names, name => name == impaired?.Name ? call.Impairer!.Port : port);
        }
        catch
        {
            // What started is stopped: a failed start leaves no daemon running into the next test.
            await call.DisposeAsync();
            throw;
        }

        return call;
    }

    private async Task JoinAllAsync(string[] names, Func<string, int> port)
    {
        foreach (var name in names)
        {
            var rig = new AudioRig(_root.Sub(name), captureLeadPeriods: _options.CaptureLeadPeriods);
            var daemon = await DaemonProcess.StartParticipantAsync(_root, name, $"127.0.0.1:{port(name)}", ["--Video:Fps", "5", .. _options.Arguments(name)]);
            var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
            _members[name] = (daemon, rig, client);

            // Cameras off: these tests listen for gaps of milliseconds on a 2-core machine.
            await client.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetCamera, false);
            await client.JoinAsync("sound");
        }

        foreach (var (_, (_, _, client)) in _members)
        {
            await Eventually.TrueAsync(
                async () => (await client.StatusAsync()) is { Microphone.Condition: DeviceCondition.On, Speaker.Condition: DeviceCondition.On },
                TimeSpan.FromSeconds(15),
                "microphone and speaker on");
        }
    }

    public AudioRig Rig(string name) => _members[name].Rig;

    public DaemonProcess Daemon(string name) => _members[name].Daemon;

    public TestControlClient Client(string name) => _members[name].Client;

    /// <summary>Waits for sound at <paramref name="name"/>'s speaker, then returns the <paramref name="seconds"/> that follow.</summary>
    public Task<short[]> RecordAsync(string name, double seconds) => Rig(name).RecordAsync(seconds, $"sound at {name}'s speaker");

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, (daemon, rig, client)) in _members)
        {
            await client.DisposeAsync();
            await daemon.DisposeAsync();
            rig.Dispose();
        }

        await _relay.DisposeAsync();
        if (Impairer is not null)
        {
            await Impairer.DisposeAsync();
        }
    }

    /// <summary>How each member of an <see cref="AudioCall"/> starts: its daemon's arguments, and its rig's capture lead.</summary>
    internal sealed record Member(Func<string, string[]> Arguments, int CaptureLeadPeriods = 10)
    {
        /// <summary>
        /// For tests of carrying a tone: sent continuously (a tone is not speech, so voice activity would pause it) and
        /// without noise suppression (which learns a steady tone as noise and lowers it). Echo cancellation and
        /// automatic gain stay as they ship: with no echo path and no speech they leave a tone as it is.
        /// </summary>
        public static string[] ToneArguments { get; } = ["--Audio:Transmit", "continuous", "--Audio:NoiseSuppress", "false"];

        public static Member Tone { get; } = new(_ => ToneArguments);
    }
}
