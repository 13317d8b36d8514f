using System.Runtime.InteropServices;

namespace S2cd.Control;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int chown(string path, int owner, int group);

        [LibraryImport("libc", EntryPoint = "getegid")]
        internal static partial int getegid();
    }
}
