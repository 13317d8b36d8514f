using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace S2cd.Security;

/// <summary>Certificate fingerprints as people compare them: SHA256: and the base64 of the digest, as ssh shows keys.</summary>
internal static class Fingerprint
{
    public static string Of(X509Certificate2 certificate) => Of(certificate.RawData);

    public static string Of(ReadOnlySpan<byte> der) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(der)).TrimEnd('=');

    public static bool IsValid(string? value) =>
        value is { Length: 50 } && value.StartsWith("SHA256:", StringComparison.Ordinal)
        && value.AsSpan(7).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") < 0;
}
