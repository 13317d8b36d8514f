using System.Globalization;
using System.Text;

namespace S2cd.Relay.Web;

/// <summary>
/// The script behind the one-line join (<c>curl -fsSL URL/j/NAME | sh</c>): join.sh, shipped inside the relay, with this
/// session's values written in. Every value is one the web front checked (a session name, HOST:PORT, a fingerprint, a
/// base URL, a hex digest); each goes between single quotes, and one that could leave them is refused here.
/// </summary>
internal static class JoinScript
{
    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(JoinScript).Assembly.GetManifestResourceStream("S2cd.Relay.Web.join.sh")
            ?? throw new InvalidOperationException("join.sh is not in the relay's assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>The values written into the script.</summary>
    internal sealed record Values(string Session, string Relay, string? Fingerprint, bool Passphrase, string PageUrl, JoinBuild.Offer? Build, string? NoBuild);

    /// <summary>The line a person pastes: fetches the script from <paramref name="pageUrl"/> and runs it with sh.</summary>
    public static string Line(string pageUrl, string session) => $"curl -fsSL {pageUrl}/j/{session} | sh";

    public static string Render(Values values)
    {
        var bundleUrl = values.Build is null ? string.Empty : $"{values.PageUrl}/download/{JoinBuild.FileName}";
        return Template.Value
            .Replace("@SESSION@", Quoted(values.Session), StringComparison.Ordinal)
            .Replace("@RELAY@", Quoted(values.Relay), StringComparison.Ordinal)
            .Replace("@FINGERPRINT@", Quoted(values.Fingerprint ?? string.Empty), StringComparison.Ordinal)
            .Replace("@PASSPHRASE@", values.Passphrase ? "1" : "0", StringComparison.Ordinal)
            .Replace("@VERSION@", Quoted(JoinBuild.Version), StringComparison.Ordinal)
            .Replace("@PAGE_URL@", Quoted(values.PageUrl + "/s/" + values.Session), StringComparison.Ordinal)
            .Replace("@BUNDLE_URL@", Quoted(bundleUrl), StringComparison.Ordinal)
            .Replace("@BUNDLE_SHA256@", Quoted(values.Build?.Sha256 ?? string.Empty), StringComparison.Ordinal)
            .Replace("@NO_BUNDLE@", Harmless(values.NoBuild ?? string.Empty), StringComparison.Ordinal);
    }

    /// <summary><paramref name="value"/> as it is, when it can stand between single quotes in sh and in a comment; else an error.</summary>
    private static string Quoted(string value) =>
        value.All(c => c is > ' ' and <= '~' && c is not ('\'' or '\\' or '`' or '$' or '"'))
            ? value
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"a value of {value.Length} characters cannot go into the join script"));

    /// <summary>Free text (a reason) made safe between single quotes: printable ASCII but the quote, others as '?'.</summary>
    private static string Harmless(string value) =>
        new(value.Take(300).Select(c => c is >= ' ' and <= '~' && c != '\'' ? c : '?').ToArray());
}
