using System.Runtime.InteropServices;

namespace S2cd.Audio;

/// <summary>An alsa-lib call failed; the message carries snd_strerror's text.</summary>
internal sealed class AlsaException(string operation, int error, string? hint = null)
    : Exception(hint is null ? $"{operation}: {Describe(error)}" : $"{operation}: {Describe(error)} ({hint})")
{
    public int Error { get; } = error;

    /// <summary>The one place a negative alsa-lib return code becomes an exception.</summary>
    public static int Check(int result, string operation) => result < 0 ? throw new AlsaException(operation, result) : result;

    public static string Describe(int error) => Marshal.PtrToStringUTF8(Interop.Alsa.snd_strerror(error)) ?? $"error {error}";
}
