using System.Runtime.InteropServices;

namespace S2cd.Platform;

/// <summary>
/// A native library the daemon can run without: OpenCV's wrapper, libasound, libopus. It is loaded here, by
/// hand, before any type that calls into it is touched: a type whose initializer fails to load its library is
/// broken for the life of the process, while a probe that fails can simply be tried again once the missing
/// package is installed. A failure is probed again at most once per <see cref="RetryInterval"/>.
/// </summary>
internal sealed class NativeDependency
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    private readonly Func<nint> _load;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private volatile bool _loaded;
    private string? _problem;
    private long _failedAt;

    public NativeDependency(string component, Func<nint> load, TimeProvider? time = null)
    {
        Component = component;
        _load = load;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// OpenCvSharp's native wrapper, with OpenCV and the GTK libraries it links: next to the program in a NativeAOT
    /// publish (the .deb), where the runtime's dependency file does not exist; else where that file says.
    /// </summary>
    public static NativeDependency OpenCv { get; } = new("OpenCV", () =>
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "libOpenCvSharpExtern.so");
        return File.Exists(beside) ? NativeLibrary.Load(beside) : NativeLibrary.Load("OpenCvSharpExtern", typeof(OpenCvSharp.Mat).Assembly, null);
    });

    /// <summary>alsa-lib, for the microphone and speaker.</summary>
    public static NativeDependency Alsa { get; } = new("ALSA", () => NativeLibrary.Load("libasound.so.2"));

    /// <summary>libopus, for encoding and decoding audio.</summary>
    public static NativeDependency Opus { get; } = new("Opus", () => NativeLibrary.Load("libopus.so.0"));

    /// <summary>speexdsp, for echo cancellation, noise suppression and the speech probability of voice activity.</summary>
    public static NativeDependency Speex { get; } = new("speexdsp", () => NativeLibrary.Load("libspeexdsp.so.1"));

    /// <summary>What the library is, for messages ("OpenCV").</summary>
    public string Component { get; }

    /// <summary>True once the library has loaded; otherwise <paramref name="problem"/> says, in one line, what is missing.</summary>
    public bool TryEnsureLoaded(out string? problem)
    {
        // Asked for every picture and audio packet: once loaded, no lock.
        if (_loaded)
        {
            problem = null;
            return true;
        }

        lock (_lock)
        {
            if (_loaded)
            {
                problem = null;
                return true;
            }

            if (_problem is not null && _time.GetElapsedTime(_failedAt) < RetryInterval)
            {
                problem = _problem;
                return false;
            }

            try
            {
                _load();
                _loaded = true;
                _problem = null;
                problem = null;
                return true;
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                _problem = NativeLibraryProblem.Describe(ex, Component);
                _failedAt = _time.GetTimestamp();
                problem = _problem;
                return false;
            }
        }
    }
}
