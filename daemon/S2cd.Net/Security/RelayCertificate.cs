using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace S2cd.Security;

/// <summary>
/// The relay's TLS certificate: self-signed (ECDSA P-256), made on first start, kept 0600 in the state
/// directory and reused, so that daemons that pinned it keep trusting the relay across restarts.
/// </summary>
internal static class RelayCertificate
{
    public const string FileName = "relay-certificate.pfx";

    public static X509Certificate2 LoadOrCreate(string stateDirectory, out bool created)
    {
        var path = Path.Combine(StateDirectory.Ensure(stateDirectory), FileName);
        created = !File.Exists(path);
        if (created)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=s2cd relay {Environment.MachineName}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
            StateDirectory.WriteSecret(path, certificate.Export(X509ContentType.Pkcs12));
        }

        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"the relay certificate in {path} cannot be read; move the file away to make a new one (daemons that pinned the old one will refuse the new one until told)", ex);
        }
    }
}
