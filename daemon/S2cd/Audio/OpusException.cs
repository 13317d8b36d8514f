using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>A libopus call failed; the message carries opus_strerror's text.</summary>
internal sealed class OpusException(string operation, int error)
    : Exception($"{operation}: {Marshal.PtrToStringUTF8(Interop.Opus.opus_strerror(error)) ?? $"error {error}"}")
{
    public int Error { get; } = error;

    public static int Check(int result, string operation) => result < 0 ? throw new OpusException(operation, result) : result;
}
