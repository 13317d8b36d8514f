using System.Security.Cryptography;

namespace S2cd.Conference;

/// <summary>
/// The call code: nine digits derived from the certificates of everyone verified in a call (ourselves included),
/// the same for all members exactly when they all see the same certificates, so people can compare it aloud.
/// </summary>
internal static class CallCodes
{
    public static string Of(IEnumerable<byte[]> certificateHashes)
    {
        var sorted = certificateHashes.Select(Convert.ToHexString).Order(StringComparer.Ordinal);
        var digest = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes("s2cd call code v1:" + string.Join(',', sorted)));
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest) % 1_000_000_000UL;
        var digits = value.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
        return $"{digits[..3]}-{digits[3..6]}-{digits[6..]}";
    }
}
