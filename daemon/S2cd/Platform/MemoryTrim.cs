using System.Globalization;
using System.Runtime.InteropServices;

namespace S2cd.Platform;

/// <summary>
/// Gives back to the system what a call used: the managed heap compacted and its free pages decommitted (an
/// aggressive collection); glibc's free heap pages (malloc_trim: native buffers of OpenCV, Opus and OpenSSL live
/// there); and the pages of program code read in for the call (OpenCV and the libraries it links, and our own),
/// which are clean copies of files and come back from the page cache on the next call (MADV_PAGEOUT, Linux 5.4;
/// where it is refused nothing changes). A resident daemon between calls weighs about what it weighs idle.
/// </summary>
internal static partial class MemoryTrim
{
    private const int MadvPageout = 21;

    public static void Now()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            _ = malloc_trim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without it (not glibc): the managed heap is given back all the same.
        }

        PageOutCode();
    }

    /// <summary>Read-only and executable mappings of files: code and constants, never written, so never lost.</summary>
    private static void PageOutCode()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/maps");
        }
        catch (IOException)
        {
            return;
        }

        foreach (var line in lines)
        {
            // start-end perms offset dev inode path
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1][1] == 'w' || !fields[5].StartsWith('/') || fields[5].StartsWith("/dev/", StringComparison.Ordinal))
            {
                continue;
            }

            var range = fields[0].Split('-');
            if (ulong.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            {
                _ = madvise((nint)start, (nuint)(end - start), MadvPageout);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int madvise(nint address, nuint length, int advice);
}
