using System.Reflection;
using System.Text.RegularExpressions;

namespace S2cd.Platform;

/// <summary>
/// Turns a native library's failure into one line a person can act on: which shared object did not load and
/// the package to install ("OpenCV needs libgtk-3.so.0 - sudo apt install libgtk-3-0"), instead of the .NET
/// loader's list of every path it tried.
/// </summary>
internal static partial class NativeLibraryProblem
{
    private const int MaxDetail = 160;

    /// <summary>One line for <paramref name="ex"/>, which <paramref name="component"/> (OpenCV, ALSA, Opus) threw.</summary>
    public static string Describe(Exception ex, string component)
    {
        var load = Find<DllNotFoundException>(ex) ?? (Exception?)Find<BadImageFormatException>(ex);
        if (load is not null)
        {
            return DescribeLoadFailure(load.Message, component);
        }

        if (Find<EntryPointNotFoundException>(ex) is { } entry)
        {
            return $"{component} is a version without a function we call ({Detail(entry.Message)})";
        }

        var innermost = ex;
        while (innermost is TypeInitializationException or TargetInvocationException && innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return $"{component} failed: {Detail(innermost.Message)}";
    }

    /// <summary>One line for any exception: what <see cref="Describe"/> says of a library that did not load, else type and message.</summary>
    public static string Summarize(Exception ex)
    {
        if (Find<DllNotFoundException>(ex) is not null || Find<BadImageFormatException>(ex) is not null || Find<EntryPointNotFoundException>(ex) is not null)
        {
            return Describe(ex, "a native library");
        }

        var innermost = ex;
        while (innermost is TypeInitializationException or TargetInvocationException or AggregateException && innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return $"{innermost.GetType().Name}: {Detail(innermost.Message)}";
    }

    /// <summary>One line for the .NET loader's message (or dlerror text) when a library did not load.</summary>
    internal static string DescribeLoadFailure(string message, string component)
    {
        string? unknown = null;
        foreach (Match match in SharedObjectError().Matches(message))
        {
            var name = match.Groups["name"].Value;
            if (DebianPackages.Providing(name) is { } package)
            {
                return $"{component} needs {name} \u2014 sudo apt install {package}";
            }

            unknown ??= $"{component} cannot load {name}: {match.Groups["why"].Value.Trim()}";
        }

        return unknown ?? $"{component} cannot load its native library: {Detail(message)}";
    }

    private static T? Find<T>(Exception ex)
        where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Detail(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        return line.Length <= MaxDetail ? line : string.Concat(line.AsSpan(0, MaxDetail - 1), "\u2026");
    }

    // dlerror's "NAME: why", NAME with or without its directory: the library asked for, or a dependency it links.
    [GeneratedRegex(@"(?<![\w.-])(?<name>lib[\w.+-]*?\.so(?:\.\d+)*): (?<why>cannot open shared object file|file too short|invalid ELF header|wrong ELF class[^/]*?|[^/:]*?version[^/]*?not found)", RegexOptions.CultureInvariant)]
    private static partial Regex SharedObjectError();
}
