using System.Net;

namespace S2cd.Relay.Web;

/// <summary>
/// The web front's addresses from configuration and requests: Relay:PublicWebUrl, Relay:TrustedProxies, and the base
/// URL a page or script names (checked here, because it is written into HTML and into a shell script).
/// </summary>
internal static class WebAddresses
{
    public const int MaxProxies = 32;

    /// <summary>
    /// What is wrong with <paramref name="value"/> as Relay:PublicWebUrl, or null; <paramref name="url"/> is then
    /// scheme://host[:port] without a trailing slash.
    /// </summary>
    public static string? CheckPublicWebUrl(string value, out string url)
    {
        url = string.Empty;
        if (value.Length > 200 || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "an http:// or https:// address such as https://call.example.org";
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return "scheme, host and port only: no path, query or user";
        }

        var candidate = uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}" : $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        if (BaseUrl(uri.Scheme, uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") is not { } checkedUrl || checkedUrl != candidate)
        {
            return "a host name or IP address made of letters, digits, '.', '-', ':' and brackets";
        }

        url = checkedUrl;
        return null;
    }

    /// <summary>What is wrong with <paramref name="value"/> as Relay:TrustedProxies, or null; <paramref name="proxies"/> then holds them.</summary>
    public static string? CheckTrustedProxies(string value, out IPAddress[] proxies)
    {
        proxies = [];
        var parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > MaxProxies)
        {
            return $"1 to {MaxProxies} IP addresses, comma-separated";
        }

        var parsed = new IPAddress[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!IPAddress.TryParse(parts[i], out var address) || parts[i].Contains('/', StringComparison.Ordinal))
            {
                return $"'{parts[i]}' is not an IP address (1 to {MaxProxies} IP addresses, comma-separated)";
            }

            parsed[i] = address;
        }

        proxies = parsed;
        return null;
    }

    /// <summary>
    /// scheme://host[:port] for a scheme and a Host header, or null when either is not one we would write into a page or a
    /// script: http or https, and a host of letters, digits, '.', '-' (or an IPv6 address in brackets) with an optional port.
    /// </summary>
    public static string? BaseUrl(string scheme, string host)
    {
        if (scheme is not ("http" or "https") || host.Length is 0 or > 260)
        {
            return null;
        }

        var name = host;
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            if (end < 0 || !IPAddress.TryParse(host[1..end], out _))
            {
                return null;
            }

            name = "h" + host[(end + 1)..];
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var hostPart = colon < 0 ? name : name[..colon];
        if (hostPart.Length == 0 || !hostPart.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
        {
            return null;
        }

        if (colon >= 0 && (!ushort.TryParse(name[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port == 0))
        {
            return null;
        }

        return $"{scheme}://{host.ToLowerInvariant()}";
    }
}
