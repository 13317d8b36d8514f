using System.Globalization;

namespace S2cd.Benchmarks.Harness;

/// <summary>The benchmarks' options, each bounded: a value out of range or not a number is a usage error with its reason.</summary>
internal static class BenchArgs
{
    public static bool Flag(string[] args, string name) => args.Contains(name);

    public static int Int(string[] args, string name, int fallback, int min, int max)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0)
        {
            return fallback;
        }

        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{name} takes a whole number from {min} to {max}");
        }

        return value;
    }

    public static string? Text(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0)
        {
            return null;
        }

        return i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
            ? args[i + 1]
            : throw new ArgumentException($"{name} needs a value");
    }
}
