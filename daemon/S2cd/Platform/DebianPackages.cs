using System.Reflection;

namespace S2cd.Platform;

/// <summary>
/// The project's list of Debian packages (packaging/debian-packages, embedded in this assembly): which package
/// provides a shared object the daemon loads, so that a library that does not load can be named with the
/// command that installs it.
/// </summary>
internal static class DebianPackages
{
    private static readonly Lazy<Dictionary<string, string>> BySharedObject = new(Load);

    /// <summary>The Debian package that provides <paramref name="sharedObject"/> (a soname such as libgtk-3.so.0), or null.</summary>
    public static string? Providing(string sharedObject) =>
        BySharedObject.Value.TryGetValue(sharedObject, out var package) ? package : null;

    internal static Dictionary<string, string> Parse(TextReader list)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (list.ReadLine() is { } line)
        {
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            var fields = (hash < 0 ? line : line[..hash]).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            foreach (var field in fields.Skip(2))
            {
                if (field.StartsWith("so=", StringComparison.Ordinal))
                {
                    map[field[3..]] = fields[0];
                }
            }
        }

        return map;
    }

    private static Dictionary<string, string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("debian-packages");
        if (stream is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
