using System.Diagnostics;
using System.Runtime.InteropServices;

namespace S2cd.Tests.Support;

/// <summary>
/// A sound card for a daemon made of real alsa-lib and its <c>file</c> plugin: an asoundrc in the daemon's
/// HOME whose capture reads a named pipe and whose playback writes another. This rig feeds the capture
/// pipe and drains the playback pipe at 96000 bytes/s (48 kHz mono S16) on a 10 ms clock, as a card
/// would: what the daemon has not written when a period is due is recorded as silence. It can also be a room without
/// headphones: what the speaker plays comes back into the microphone, delayed and attenuated (<see cref="EchoBack"/>).
/// </summary>
internal sealed partial class AudioRig : IDisposable
{
    public const int Rate = 48000;
    private const int Period = Rate / 100;
    private readonly string _capturePipe;
    private readonly string _playbackPipe;
    private readonly Thread _thread;
    private readonly short[] _output = new short[Rate * 120];
    private int _outputLength;
    private readonly Queue<byte> _card = new();
    private readonly Stopwatch _clock = new();
    private volatile bool _stop;
    private readonly int _captureLead;
    private Func<long, short> _source = _ => 0;
    private long _fed;
    private volatile int _echoDelaySamples = -1;
    private double _echoGain;
    private long _worstLateTicks;

    /// <summary>
    /// A card in <paramref name="home"/>; with <paramref name="microphoneNow"/> false its microphone is missing (the
    /// capture PCM cannot open) until <see cref="ConnectMicrophone"/>, as a USB headset plugged in later.
    /// <paramref name="captureLeadPeriods"/> periods wait in the capture pipe (the card's capture buffer, which alsa-lib's
    /// file plugin cannot report): 10 by default, so a pause of the test process never starves the daemon; fewer where
    /// the capture latency matters (echo, voice activity timing).
    /// </summary>
    public AudioRig(string home, bool microphoneNow = true, int captureLeadPeriods = 10)
    {
        _captureLead = captureLeadPeriods;
        _capturePipe = Path.Combine(home, "capture.pipe");
        _playbackPipe = Path.Combine(home, "playback.pipe");
        MakePipe(_playbackPipe);
        if (microphoneNow)
        {
            MakePipe(_capturePipe);
        }

        File.WriteAllText(Path.Combine(home, ".asoundrc"), $$"""
            pcm.!default { type asym playback.pcm "s2ctest_out" capture.pcm "s2ctest_in" }
            pcm.s2ctest_out { type file slave.pcm "null" file "{{_playbackPipe}}" format "raw" }
            pcm.s2ctest_in { type file slave.pcm "null" file "/dev/null" infile "{{_capturePipe}}" format "raw" }
            """);
        _thread = new Thread(Run) { IsBackground = true, Name = "audio rig" };
        _clock.Start();
        _thread.Start();
    }

    /// <summary>Waits for sound at the speaker, then returns the <paramref name="seconds"/> that follow the next half second (the jitter buffer settles).</summary>
    public async Task<short[]> RecordAsync(double seconds, string what = "sound at the speaker")
    {
        var started = -1;
        await Eventually.TrueAsync(
            () =>
            {
                started = Array.FindIndex(Output(), s => Math.Abs((int)s) > 1000);
                return Task.FromResult(started >= 0);
            },
            TimeSpan.FromSeconds(30),
            what).ConfigureAwait(false);
        var from = started + (Rate / 2);
        var length = (int)(seconds * Rate);
        await Eventually.TrueAsync(() => Task.FromResult(OutputLength >= from + length), TimeSpan.FromSeconds(seconds + 10), "recording").ConfigureAwait(false);
        return Output().AsSpan(from, length).ToArray();
    }

    /// <summary>What the speaker plays from now on, for <paramref name="seconds"/>, whatever it is (silence too).</summary>
    public async Task<short[]> RecordFromNowAsync(double seconds)
    {
        var from = OutputLength;
        var length = (int)(seconds * Rate);
        await Eventually.TrueAsync(() => Task.FromResult(OutputLength >= from + length), TimeSpan.FromSeconds(seconds + 10), "recording").ConfigureAwait(false);
        return Output().AsSpan(from, length).ToArray();
    }

    /// <summary>
    /// The longest the rig's 10 ms clock fell behind since <see cref="ResetLateness"/> (the test process stalled): over
    /// the capture lead, the daemon read padded silence and what the microphone hears came that much later from then on.
    /// </summary>
    public TimeSpan WorstLate => TimeSpan.FromTicks(Interlocked.Read(ref _worstLateTicks));

    public void ResetLateness() => Interlocked.Exchange(ref _worstLateTicks, 0);

    /// <summary>The microphone appears: its capture pipe exists from now on, and the rig feeds it once the daemon opens it.</summary>
    public void ConnectMicrophone() => MakePipe(_capturePipe);

    private static void MakePipe(string pipe)
    {
        if (Interop.mkfifo(pipe, 0x1B6) != 0)
        {
            throw new IOException($"mkfifo {pipe} failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Time on the rig's clock, in seconds: output sample n was due at n / 48000 after <see cref="OutputStart"/>.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>Rig time of output sample 0.</summary>
    public double OutputStart { get; private set; } = double.NaN;

    /// <summary>Feeds a tone of <paramref name="frequency"/> Hz at <paramref name="amplitude"/> (0..1) from now on.</summary>
    public void FeedTone(double frequency, double amplitude) =>
        _source = n => (short)(amplitude * 32767 * Math.Sin(2 * Math.PI * frequency * n / Rate));

    public void FeedSilence() => _source = _ => 0;

    /// <summary>Feeds stationary white noise of <paramref name="rms"/> (0..1 of full scale) from now on; the same noise every run.</summary>
    public void FeedNoise(double rms, int seed = 1)
    {
        var random = new Random(seed);
        _source = _ =>
        {
            // Box-Muller: Gaussian samples of the given RMS.
            var u = 1.0 - random.NextDouble();
            var v = random.NextDouble();
            return (short)Math.Clamp(rms * 32767 * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v), short.MinValue, short.MaxValue);
        };
    }

    /// <summary>Feeds <paramref name="samples"/> (48 kHz) scaled by <paramref name="gain"/> from now on, over and over, or once and then silence.</summary>
    public void FeedSamples(short[] samples, double gain, bool loop)
    {
        var start = -1L;
        _source = n =>
        {
            if (start < 0)
            {
                start = n;
            }

            var at = n - start;
            return !loop && at >= samples.Length ? (short)0 : (short)Math.Clamp(samples[at % samples.Length] * gain, short.MinValue, short.MaxValue);
        };
    }

    /// <summary>Feeds <paramref name="near"/> (the person at this microphone) from now on.</summary>
    public void Feed(Func<long, short> near) => _source = near;

    /// <summary>
    /// From now on what this card's speaker plays also reaches its microphone <paramref name="delay"/> later, at
    /// <paramref name="gainDb"/> (negative: attenuated), added to what is fed: a loudspeaker beside the microphone.
    /// </summary>
    public void EchoBack(TimeSpan delay, double gainDb)
    {
        _echoGain = Math.Pow(10, gainDb / 20);
        _echoDelaySamples = (int)(delay.TotalSeconds * Rate);
    }

    /// <summary>What the speaker played at output sample <paramref name="index"/>, heard <see cref="EchoBack"/>'s delay later.</summary>
    private int Echo(long index)
    {
        var delay = _echoDelaySamples;
        var at = index - delay;
        return delay < 0 || at < 0 || at >= _outputLength ? 0 : (int)(_output[at] * _echoGain);
    }

    /// <summary>
    /// What the daemon played so far, one sample per 1/48000 s from <see cref="OutputStart"/>. Reading it never
    /// holds up the rig's clock: samples are only appended, and the length is published after them.
    /// </summary>
    public short[] Output() => _output.AsSpan(0, Volatile.Read(ref _outputLength)).ToArray();

    public int OutputLength => Volatile.Read(ref _outputLength);

    public void Dispose()
    {
        _stop = true;
        _thread.Join(2000);
    }

    private void Run()
    {
        var inFd = -1;
        var outFd = -1;
        var period = new short[Period];
        var bytes = new byte[Period * 2];
        long tick = 0;
        while (!_stop)
        {
            var due = TimeSpan.FromMilliseconds(tick * 10);
            var wait = due - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
            else if (-wait.Ticks > Interlocked.Read(ref _worstLateTicks))
            {
                Interlocked.Exchange(ref _worstLateTicks, -wait.Ticks);
            }

            tick++;
            var periods = 1;
            if (inFd < 0)
            {
                inFd = open(_capturePipe, O_WRONLY | O_NONBLOCK);

                // alsa-lib's file plugin pads a short read of its infile with silence, so keep periods waiting in
                // the pipe: every read of the daemon finds a whole one even when this process pauses (a GC).
                periods = _captureLead;
            }

            for (var p = 0; p < periods && inFd >= 0; p++)
            {
                // The period about to be played is heard now: output index _outputLength is this tick's first sample.
                for (var i = 0; i < Period; i++)
                {
                    period[i] = (short)Math.Clamp(_source(_fed + i) + Echo(_outputLength + i), short.MinValue, short.MaxValue);
                }

                _fed += Period;
                MemoryMarshal.AsBytes(period.AsSpan()).CopyTo(bytes);
                if (write(inFd, bytes, bytes.Length) < 0 && Marshal.GetLastPInvokeError() == EPIPE)
                {
                    close(inFd);
                    inFd = -1;
                }
            }

            if (outFd < 0)
            {
                outFd = open(_playbackPipe, O_RDONLY | O_NONBLOCK);
            }

            if (outFd >= 0)
            {
                Drain(outFd, bytes);
            }
        }

        if (inFd >= 0)
        {
            close(inFd);
        }

        if (outFd >= 0)
        {
            close(outFd);
        }
    }

    /// <summary>
    /// Moves what the daemon wrote into the card's buffer and plays one period from it; when a whole period is
    /// not there, the card plays a period of silence (an underrun) and keeps the rest for the next one.
    /// </summary>
    private void Drain(int fd, byte[] bytes)
    {
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var n = read(fd, chunk.AsSpan(), chunk.Length);
            if (n <= 0)
            {
                break;
            }

            for (var i = 0; i < n; i++)
            {
                _card.Enqueue(chunk[i]);
            }
        }

        if (double.IsNaN(OutputStart))
        {
            if (_card.Count < bytes.Length)
            {
                return;
            }

            OutputStart = Now;
        }

        if (_card.Count >= bytes.Length)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = _card.Dequeue();
            }
        }
        else
        {
            Array.Clear(bytes);
        }

        var length = _outputLength;
        if (length + Period <= _output.Length)
        {
            MemoryMarshal.Cast<byte, short>(bytes.AsSpan()).CopyTo(_output.AsSpan(length));
            Volatile.Write(ref _outputLength, length + Period);
        }
    }

    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_NONBLOCK = 0x800;
    private const int EPIPE = 32;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, Span<byte> buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
