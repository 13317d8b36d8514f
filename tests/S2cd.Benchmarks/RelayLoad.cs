using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using S2cd.Datagram;
using S2cd.Security;
using S2cd.Wire;

using S2cd.Benchmarks.Harness;

using S2cd.Tests.Support;

namespace S2cd.Benchmarks;

/// <summary>
/// Relay load: a relay process (the real s2cd in relay role) and, in this process, N sessions of M
/// synthetic participants, each sending 15 video frames/s of 4 KB and 50 audio packets/s of 80 bytes.
/// Every payload carries its send time and a sequence number; receivers measure forwarding delay and
/// audio loss. Reports forwarded messages/s, delay percentiles, and the relay's CPU and memory.
/// </summary>
internal static class RelayLoad
{
    private const int VideoBytes = 4096;
    private const int AudioBytes = 80;

    public static Task<int> RunAsync(string[] args)
    {
        var sessions = BenchArgs.Int(args, "--sessions", 100, 1, 2000);
        var participants = BenchArgs.Int(args, "--participants", 4, 2, 16);
        var seconds = BenchArgs.Int(args, "--seconds", 20, 1, 3600);
        var warmup = BenchArgs.Int(args, "--warmup", 3, 0, 600);
        var tls = !BenchArgs.Flag(args, "--plain");
        var udp = BenchArgs.Flag(args, "--udp");
        var maxConnections = BenchArgs.Int(args, "--max-connections", 10000, 1, 100_000);
        var pollMetrics = BenchArgs.Int(args, "--poll-metrics", 0, 0, 1000);
        var web = pollMetrics > 0 || BenchArgs.Flag(args, "--web");
        var path = udp ? "UDP" : tls ? "TLS" : "plain TCP";
        var table = $"Relay load: the relay process, {participants} synthetic participants a session, each sending 15 video frames/s of 4 KB and 50 audio packets/s of 80 bytes";
        var row = $"{sessions} × {participants}, {path}{(pollMetrics > 0 ? $", /metrics polled {pollMetrics}/s" : web ? ", web front on" : string.Empty)}";
        return BenchRun.RunAsync("relay-load", args, async (figures, _) =>
        {
            figures.Note(table, $"{seconds} s measured after {warmup} s of warm-up. Delay is from the generator's write to its read, on the same two cores as the relay. Targets (100 × 4): p99 < 20 ms, no audio lost.");
            var directory = Directory.CreateTempSubdirectory("s2cd-bench-relay").FullName;
            using var relay = BenchDaemons.Start(
                directory,
                "relay",
                ["--role", "relay", "--listen", "127.0.0.1:0", "--Relay:MaxSessions", "10000", "--Relay:MaxConnections", maxConnections.ToString(CultureInfo.InvariantCulture), "--Relay:Tls", tls ? "true" : "false",
                    .. web ? (string[])["--web", "127.0.0.1:0"] : []],
                keepStdout: true);

            // The relay goes with the benchmark, whichever way it ends: at the end, by an exception, by Ctrl-C or SIGTERM.
            using var onSignal = KillOnSignal(relay);
            using var stopPolling = new CancellationTokenSource();
            try
            {
                var webPort = web ? await WebPortAsync(directory).ConfigureAwait(false) : 0;
                var polling = pollMetrics > 0 ? PollMetricsAsync(webPort, pollMetrics, stopPolling.Token) : Task.FromResult((0, 0L, 0.0));
                var result = await MeasureAsync([relay], [], sessions, participants, seconds, warmup, tls, udp).ConfigureAwait(false);
                await stopPolling.CancelAsync().ConfigureAwait(false);
                var (polls, bytes, rate) = await polling.ConfigureAwait(false);
                if (pollMetrics > 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"web front: /metrics polled {polls} times ({rate:0.0}/s), {bytes} bytes each"));
                    if (polls == 0)
                    {
                        throw new NothingMeasuredException("the web front's /metrics never answered");
                    }
                }

                result.MeasuredOrThrow(row).Report(figures, table, row);
            }
            finally
            {
                Kill(relay);
                Directory.Delete(directory, recursive: true);
            }
        });
    }

    /// <summary>The port the relay's web front bound (it binds port 0), from the relay's status.</summary>
    private static async Task<int> WebPortAsync(string directory)
    {
        using var rpc = await BenchDaemons.ConnectAsync(BenchDaemons.SocketPath(directory, "relay")).ConfigureAwait(false);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var status = await rpc.InvokeAsync<S2cd.Contract.StatusResult>(S2cd.Contract.ControlProtocol.Methods.Status).ConfigureAwait(false);
            if (status.RelayWeb is { } address && address.LastIndexOf(':') is var colon and > 0
                && int.TryParse(address.AsSpan(colon + 1).TrimEnd('/'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port > 0)
            {
                return port;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new NothingMeasuredException("the relay's web front did not start");
    }

    /// <summary>
    /// The load through <paramref name="relays"/>: participant p of each session joins relay p × relays / participants
    /// (with two relays and four participants, two on each). CPU and memory are reported for every relay and for
    /// <paramref name="others"/> (nats-server processes), and CPU per forwarded message for all of them together.
    /// </summary>
    internal static async Task<RelayLoadResult> MeasureAsync(IReadOnlyList<Process> relays, IReadOnlyList<(string Name, int Pid)> others, int sessions, int participants, int seconds, int warmup, bool tls, bool udp)
    {
        var endpoints = new List<(IPEndPoint Endpoint, string? Fingerprint)>();
        foreach (var relay in relays)
        {
            var (address, pinned) = await BenchDaemons.ReadRelayAsync(relay).ConfigureAwait(false);
            endpoints.Add((IPEndPoint.Parse(address), pinned));
            Console.WriteLine($"relay pid {relay.Id} on {address} ({(tls ? "TLS 1.3" : "plain TCP")}{(udp ? ", media as UDP datagrams" : string.Empty)}); {sessions} sessions x {participants} participants, {seconds} s measured after {warmup} s warm-up");
        }

        var endpoint = endpoints[0].Endpoint;
        using var hub = udp ? new DatagramHub(endpoint) : null;
        using var stop = new CancellationTokenSource();
        var readers = new List<Task>();
        var clients = new List<Participant>();
        var refused = new List<string>();
        for (var s = 0; s < sessions; s++)
        {
            for (var p = 0; p < participants; p++)
            {
                try
                {
                    var (at, pin) = endpoints[p * endpoints.Count / participants];
                    var client = await Participant.JoinAsync(at, pin, $"load{s}", $"p{p}", hub).ConfigureAwait(false);
                    clients.Add(client);

                    // Reading (and so answering the relay's pings) from the start: a member silent while hundreds
                    // of others join would be closed for it.
                    readers.Add(Task.Run(() => client.ReadLoopAsync(stop.Token)));
                }
                catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException)
                {
                    // The relay refused or closed the link while it came up: counted, and the run goes on without it.
                    refused.Add(ex.Message);
                }
            }
        }

        if (udp)
        {
            // Every participant's datagram path answered (its media goes as datagrams from then on) before the clock starts.
            await Task.WhenAll(clients.Select(c => c.DatagramsReady)).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        var sender = Task.Run(() => SendLoopAsync(clients, stop.Token));

        await Task.Delay(TimeSpan.FromSeconds(warmup)).ConfigureAwait(false);
        foreach (var client in clients)
        {
            client.StartMeasuring();
        }

        var measured = relays.Select((r, i) => (Name: relays.Count == 1 ? "relay" : $"relay {(char)('a' + i)}", Pid: r.Id)).Concat(others).ToArray();
        var cpuBefore = measured.Select(m => ProcessStats.CpuTime(m.Pid)).ToArray();
        var clock = Stopwatch.StartNew();
        var peaks = new long[measured.Length];
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(500).ConfigureAwait(false);
            for (var i = 0; i < measured.Length; i++)
            {
                peaks[i] = Math.Max(peaks[i], ProcessStats.ResidentBytes(measured[i].Pid));
            }
        }

        var elapsed = clock.Elapsed;
        var cpus = measured.Select((m, i) => ProcessStats.CpuTime(m.Pid) - cpuBefore[i]).ToArray();
        var cpu = cpus[0];
        var peakRss = peaks[0];
        foreach (var client in clients)
        {
            client.StopMeasuring();
        }

        // What was sent before the end of the window has a second to arrive; later is not delivered in time anyway.
        await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await sender.ConfigureAwait(false);

        var audio = clients.SelectMany(c => c.AudioDelays).ToArray();
        var video = clients.SelectMany(c => c.VideoDelays).ToArray();
        var all = audio.Concat(video).ToArray();
        Array.Sort(audio);
        Array.Sort(video);
        Array.Sort(all);
        var lost = clients.Sum(c => c.AudioLost);
        var inv = CultureInfo.InvariantCulture;

        // What was offered: every frame sent while measuring, once for each other member of its session.
        var offeredAudio = clients.Sum(c => c.SentAudio) * (participants - 1);
        var offeredVideo = clients.Sum(c => c.SentVideo) * (participants - 1);
        var audioInTime = audio.Count(d => d <= Stopwatch.Frequency / 10);
        Console.WriteLine(string.Create(inv, $"offered       {(offeredAudio + offeredVideo) / elapsed.TotalSeconds:N0} messages/s; delivered: audio {100.0 * audioInTime / Math.Max(1, offeredAudio):0.00}% within 100 ms, video {100.0 * video.Length / Math.Max(1, offeredVideo):0.0}%"));
        Console.WriteLine(string.Create(inv, $"forwarded     {all.Length / elapsed.TotalSeconds:N0} messages/s ({audio.Length / elapsed.TotalSeconds:N0} audio, {video.Length / elapsed.TotalSeconds:N0} video)"));
        Console.WriteLine(string.Create(inv, $"delay all     p50 {Ms(all, 0.50)} ms  p99 {Ms(all, 0.99)} ms  max {Ms(all, 1)} ms"));
        Console.WriteLine(string.Create(inv, $"delay audio   p50 {Ms(audio, 0.50)} ms  p99 {Ms(audio, 0.99)} ms"));
        Console.WriteLine(string.Create(inv, $"delay video   p50 {Ms(video, 0.50)} ms  p99 {Ms(video, 0.99)} ms"));
        Console.WriteLine(string.Create(inv, $"audio lost    {lost} of {audio.Length + lost}"));
        if (measured.Length == 1)
        {
            Console.WriteLine(string.Create(inv, $"relay cpu     {cpu.TotalSeconds / elapsed.TotalSeconds * 100:0.0}% of one core, {cpu.TotalMicroseconds / Math.Max(1, all.Length):0.0} µs per forwarded message"));
            Console.WriteLine(string.Create(inv, $"relay memory  {peakRss / (1024.0 * 1024):0.0} MB resident (peak)"));
        }
        else
        {
            for (var i = 0; i < measured.Length; i++)
            {
                Console.WriteLine(string.Create(inv, $"{measured[i].Name,-13} cpu {cpus[i].TotalSeconds / elapsed.TotalSeconds * 100:0.0}% of one core, {cpus[i].TotalMicroseconds / Math.Max(1, all.Length):0.0} µs per forwarded message, {peaks[i] / (1024.0 * 1024):0.0} MB resident (peak)"));
            }

            var total = cpus.Aggregate(TimeSpan.Zero, (sum, c) => sum + c);
            Console.WriteLine(string.Create(inv, $"all together  cpu {total.TotalSeconds / elapsed.TotalSeconds * 100:0.0}% of one core, {total.TotalMicroseconds / Math.Max(1, all.Length):0.0} µs per forwarded message"));
        }
        var closed = clients.Where(c => c.ClosedReason is not null).Select(c => c.ClosedReason!).ToList();
        Console.WriteLine(string.Create(inv, $"links         {clients.Count} joined, {refused.Count} not let in, {closed.Count} closed by the relay during the run"));
        foreach (var (reason, count) in refused.Concat(closed).CountBy(r => r).OrderByDescending(r => r.Value).Take(5))
        {
            Console.WriteLine(string.Create(inv, $"              {count} × {reason}"));
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        var asked = (double)sessions * participants * (50 + 15) * (participants - 1);
        var costs = measured.Select((m, i) => new ProcessCost(
            m.Name,
            cpus[i].TotalSeconds / elapsed.TotalSeconds * 100,
            cpus[i].TotalMicroseconds / Math.Max(1, all.Length),
            peaks[i] / (1024.0 * 1024))).ToList();
        return new RelayLoadResult(
            asked,
            (offeredAudio + offeredVideo) / elapsed.TotalSeconds,
            all.Length / elapsed.TotalSeconds,
            100.0 * audioInTime / Math.Max(1, offeredAudio),
            100.0 * video.Length / Math.Max(1, offeredVideo),
            all,
            audio,
            lost,
            costs,
            clients.Count,
            refused.Count,
            closed.Count);
    }

    /// <summary>SIGINT, SIGTERM or SIGHUP take the relay with them; the benchmark then ends as the signal says.</summary>
    internal static IDisposable KillOnSignal(Process relay)
    {
        var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, _ => Kill(relay)))
            .ToArray();
        return new Registrations(registrations);
    }

    internal static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private sealed class Registrations(PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private static async Task SendLoopAsync(List<Participant> clients, CancellationToken cancellationToken)
    {
        // 50 ticks a second: audio every tick, video on 15 of them; participants are spread over the tick.
        var tick = 0L;
        var clock = Stopwatch.StartNew();
        var video = new byte[VideoBytes];
        var audio = new byte[AudioBytes];
        while (!cancellationToken.IsCancellationRequested)
        {
            var sendVideo = (tick * 15 / 50) != ((tick - 1) * 15 / 50);
            for (var i = 0; i < clients.Count; i++)
            {
                await clients[i].SendAsync(MediaKind.Audio, audio).ConfigureAwait(false);
                if (sendVideo)
                {
                    await clients[i].SendAsync(MediaKind.Video, video).ConfigureAwait(false);
                }
            }

            tick++;
            var next = TimeSpan.FromMilliseconds(tick * 20);
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    internal static string Ms(long[] sorted, double quantile) =>
        sorted.Length == 0 ? "-" : RelayLoadResult.Quantile(sorted, quantile).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>GETs /metrics <paramref name="perSecond"/> times a second, as a Prometheus scraping very often would; returns how many, their size, the rate.</summary>
    private static async Task<(int Polls, long Bytes, double Rate)> PollMetricsAsync(int port, int perSecond, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var polls = 0;
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    bytes = (await http.GetByteArrayAsync("metrics", stop).ConfigureAwait(false)).Length;
                    polls++;
                }
                catch (HttpRequestException)
                {
                    // Not up yet.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (polls, bytes, polls / clock.Elapsed.TotalSeconds);
    }

    private sealed class Participant : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly Stream _stream;
        private readonly ArrayBufferWriter<byte> _out = new(8192);
        private readonly Dictionary<uint, uint> _lastAudioSeq = [];
        private readonly bool _udp;
        private readonly IPEndPoint _relay;
        private readonly TaskCompletionSource _datagramsReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ReplayWindow _replay = new(DatagramKey.ReplayWindowSize);
        private readonly Reassembler _reassembler = new();
        private uint _audioSeq;
        private uint _videoSeq;
        private volatile bool _measuring;
        private long _measureFrom = long.MaxValue;
        private long _measureTo = long.MaxValue;
        private readonly byte[] _plaintext = new byte[DatagramKey.MaxPlaintextBytes];
        private readonly DatagramHub? _hub;
        private Socket? _datagrams;
        private DatagramKey? _key;
        private uint _token;
        private ulong _upSequence;
        private uint _videoFrame;
        private uint _audioFrame;

        private Participant(Socket socket, Stream stream, IPEndPoint relay, DatagramHub? hub)
        {
            _socket = socket;
            _stream = stream;
            _relay = relay;
            _hub = hub;
            _udp = hub is not null;
        }

        /// <summary>Completes when the relay answered this participant's first datagram (only with --udp).</summary>
        public Task DatagramsReady => _datagramsReady.Task;

        public List<long> AudioDelays { get; } = new(200_000);

        public List<long> VideoDelays { get; } = new(100_000);

        public long AudioLost { get; private set; }

        /// <summary>Audio and video frames this participant sent while measuring.</summary>
        public long SentAudio;

        public long SentVideo;

        /// <summary>Why the relay ended this link during the run (refused, closed, broken), or null while it is up.</summary>
        public string? ClosedReason { get; private set; }

        public static async Task<Participant> JoinAsync(IPEndPoint relay, string? fingerprint, string session, string name, DatagramHub? hub)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(relay).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (fingerprint is not null)
            {
                var ssl = new SslStream(stream, false, (_, certificate, _, _) => certificate is not null && Fingerprint.Of(certificate.GetRawCertData()) == fingerprint);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "relay", EnabledSslProtocols = SslProtocols.Tls13 }).ConfigureAwait(false);
                stream = ssl;
            }

            var participant = new Participant(socket, stream, relay, hub);
            FrameWriter.WriteHello(participant._out, MemberFlags.CameraOn, session, name);
            await participant.FlushAsync().ConfigureAwait(false);
            return participant;
        }

        /// <summary>From now, what is sent is counted, and what arrives of it is measured.</summary>
        public void StartMeasuring()
        {
            Volatile.Write(ref _measureFrom, Stopwatch.GetTimestamp());
            _measuring = true;
        }

        /// <summary>What is sent from now is not counted; what was sent before still is when it arrives.</summary>
        public void StopMeasuring()
        {
            Volatile.Write(ref _measureTo, Stopwatch.GetTimestamp());
            _measuring = false;
        }

        private bool InWindow(long sent) => sent >= Volatile.Read(ref _measureFrom) && sent < Volatile.Read(ref _measureTo);

        public async ValueTask SendAsync(MediaKind kind, byte[] payload)
        {
            if (ClosedReason is not null)
            {
                return;
            }

            var seq = kind == MediaKind.Audio ? ++_audioSeq : ++_videoSeq;
            var now = Stopwatch.GetTimestamp();
            if (InWindow(now))
            {
                _ = kind == MediaKind.Audio ? Interlocked.Increment(ref SentAudio) : Interlocked.Increment(ref SentVideo);
            }

            BinaryPrimitives.WriteInt64LittleEndian(payload, now);
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(8), seq);
            if (_udp && _datagramsReady.Task.IsCompleted)
            {
                SendDatagrams(kind, payload);
                return;
            }

            FrameWriter.WriteMedia(_out, kind, payload);
            await FlushAsync().ConfigureAwait(false);
        }

        private void SendDatagrams(MediaKind kind, byte[] payload)
        {
            var frame = kind == MediaKind.Video ? ++_videoFrame : ++_audioFrame;
            Span<byte> plaintext = stackalloc byte[DatagramKey.MaxPlaintextBytes];
            Span<byte> datagram = stackalloc byte[DatagramKey.MaxDatagramBytes];
            foreach (var fragment in MediaFragment.Split(payload, kind, frame, plaintext))
            {
                SendDatagram(DatagramType.Media, fragment, datagram);
            }
        }

        private void SendDatagram(DatagramType type, ReadOnlySpan<byte> plaintext, Span<byte> datagram)
        {
            var length = _key!.Seal(type, _token, ++_upSequence, DatagramKey.Upstream, plaintext, datagram);
            try
            {
                _datagrams!.Send(datagram[..length], SocketFlags.None);
            }
            catch (SocketException)
            {
            }
        }

        /// <summary>The relay offered a datagram path: say hello on it; the first answer makes it the media path.</summary>
        private void StartDatagrams(uint token, byte[] key)
        {
            _token = token;
            _key = new DatagramKey(key);
            _datagrams = _hub!.Register(token, this);
            SendDatagram(DatagramType.Keepalive, [], stackalloc byte[DatagramKey.HeaderBytes + DatagramKey.TagBytes]);
        }

        /// <summary>A datagram for this participant, on its hub socket's thread (one thread per participant).</summary>
        public void OnDatagram(ReadOnlySpan<byte> datagram, long now)
        {
            var plaintext = _plaintext;
            if (!_key!.TryOpen(datagram, DatagramKey.Downstream, out var type, out var sequence, plaintext, out var length) || !_replay.TryAccept(sequence))
            {
                return;
            }

            if (type == DatagramType.KeepaliveAck && !_datagramsReady.Task.IsCompleted)
            {
                lock (_out)
                {
                    FrameWriter.WriteMediaPath(_out, true);
                    _stream.Write(_out.WrittenSpan);
                    _out.ResetWrittenCount();
                }

                _datagramsReady.TrySetResult();
                return;
            }

            var sender = BinaryPrimitives.ReadUInt32BigEndian(plaintext);
            if (type != DatagramType.Media || !MediaFragment.TryRead(plaintext.AsSpan(MediaFragment.SenderBytes, length - MediaFragment.SenderBytes), out var kind, out var frame, out var index, out var count, out _))
            {
                return;
            }

            const int ChunkAt = MediaFragment.SenderBytes + MediaFragment.HeaderBytes;
            if (_reassembler.TryAdd(sender, kind, frame, index, count, plaintext.AsMemory(ChunkAt, length - ChunkAt), out var whole))
            {
                Measure(sender, kind, whole.Span, now);
            }
        }

        private void Measure(uint sender, MediaKind kind, ReadOnlySpan<byte> payload, long now)
        {
            var sent = BinaryPrimitives.ReadInt64LittleEndian(payload);
            var seq = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
            lock (_lastAudioSeq)
            {
                if (kind == MediaKind.Audio)
                {
                    if (_lastAudioSeq.TryGetValue(sender, out var last) && seq > last + 1 && _measuring)
                    {
                        AudioLost += seq - last - 1;
                    }

                    _lastAudioSeq[sender] = seq;
                }

                if (InWindow(sent))
                {
                    (kind == MediaKind.Audio ? AudioDelays : VideoDelays).Add(now - sent);
                }
            }
        }

        public async Task ReadLoopAsync(CancellationToken cancellationToken)
        {
            var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
            var pong = new ArrayBufferWriter<byte>(64);
            var head = new byte[12];
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    var now = Stopwatch.GetTimestamp();
                    while (FrameReader.TryReadFrame(ref buffer, WireProtocol.AbsoluteMaxFrameBytes, out var type, out var body))
                    {
                        if (type == FrameType.MediaForward)
                        {
                            var (sender, kind, payload) = FrameReader.ReadMediaForward(body);
                            payload.Slice(0, 12).CopyTo(head);
                            Measure(sender, kind, head, now);
                        }
                        else if (type == FrameType.Error)
                        {
                            ClosedReason ??= "refused: " + FrameReader.ReadError(body).Message;
                        }
                        else if (type == FrameType.DatagramSetup && _udp && _key is null)
                        {
                            var (token, key) = FrameReader.ReadDatagramSetup(body);
                            StartDatagrams(token, key);
                        }
                        else if (type == FrameType.Ping)
                        {
                            pong.ResetWrittenCount();
                            FrameWriter.WritePing(pong, FrameType.Pong, FrameReader.ReadPing(body));
                            lock (_out)
                            {
                                _stream.Write(pong.WrittenSpan);
                            }
                        }
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        ClosedReason ??= "closed by the relay";
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                ClosedReason ??= ex.InnerException?.Message ?? ex.Message;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            _key?.Dispose();
        }

        private ValueTask FlushAsync()
        {
            lock (_out)
            {
                try
                {
                    _stream.Write(_out.WrittenSpan);
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                {
                    // A broken pipe: the relay closed this link. Counted, and nothing more is sent on it.
                    ClosedReason ??= ex.InnerException?.Message ?? ex.Message;
                }

                _out.ResetWrittenCount();
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The generator's UDP side: eight sockets, each read by a thread of its own and shared by many
    /// participants (a datagram names its member by token, and the relay answers each member where its datagrams
    /// come from). One socket and one asynchronous receive per participant cost the generator more than the relay
    /// it measures, on the same two cores.
    /// </summary>
    private sealed class DatagramHub : IDisposable
    {
        private readonly Socket[] _sockets;
        private readonly ConcurrentDictionary<uint, Participant> _members = new();

        public DatagramHub(IPEndPoint relay)
        {
            // Several sockets, so that the relay's SO_REUSEPORT receive loops (one per core, chosen by source
            // address) share the load as they would with many members.
            _sockets = [.. Enumerable.Range(0, 8).Select(_ =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 << 20 };
                socket.Connect(relay);
                return socket;
            })];
            foreach (var socket in _sockets)
            {
                new Thread(() => Receive(socket)) { IsBackground = true, Name = "load datagrams" }.Start();
            }
        }

        /// <summary>Takes a member's datagrams from now; returns the socket it sends on.</summary>
        public Socket Register(uint token, Participant participant)
        {
            _members[token] = participant;
            return _sockets[token % (uint)_sockets.Length];
        }

        public void Dispose()
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        private void Receive(Socket socket)
        {
            var buffer = new byte[DatagramKey.MaxDatagramBytes];
            while (true)
            {
                int received;
                try
                {
                    received = socket.Receive(buffer);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                var datagram = buffer.AsSpan(0, received);
                if (DatagramKey.TryReadToken(datagram, out var token) && _members.TryGetValue(token, out var participant))
                {
                    participant.OnDatagram(datagram, Stopwatch.GetTimestamp());
                }
            }
        }
    }
}
