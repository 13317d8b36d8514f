using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace S2cd.Security;

/// <summary>
/// This daemon's identity for end-to-end encryption: an RSA-3072 key and a self-signed X.509 certificate,
/// made on first start and kept 0600 in the state directory. Other members wrap media keys to the
/// certificate and check the signatures made with the key; people compare its fingerprint.
/// </summary>
internal sealed class DaemonIdentity : IDisposable
{
    public const string FileName = "identity.pfx";
    public const int KeyBits = 3072;

    private DaemonIdentity(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Key = certificate.GetRSAPrivateKey() ?? throw new CryptographicException("the identity certificate has no RSA private key");
        Fingerprint = Security.Fingerprint.Of(certificate);
        CertificateHash = SHA256.HashData(certificate.RawData);
    }

    /// <summary>The certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public RSA Key { get; }

    /// <summary>SHA256:... of the certificate, as <c>s2c-attach who</c> shows it.</summary>
    public string Fingerprint { get; }

    /// <summary>The SHA-256 of the certificate's DER bytes.</summary>
    public byte[] CertificateHash { get; }

    /// <summary>Loads the identity from <paramref name="stateDirectory"/>, making it there first when it is missing.</summary>
    public static DaemonIdentity LoadOrCreate(string stateDirectory, out bool created)
    {
        var path = Path.Combine(StateDirectory.Ensure(stateDirectory), FileName);
        created = !File.Exists(path);
        if (created)
        {
            using var fresh = CreateCertificate();
            StateDirectory.WriteSecret(path, fresh.Export(X509ContentType.Pkcs12));
        }

        try
        {
            return new DaemonIdentity(X509CertificateLoader.LoadPkcs12FromFile(path, password: null));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"the identity in {path} cannot be read; move the file away to make a new identity (the others will then see a new fingerprint)", ex);
        }
    }

    /// <summary>An identity kept in memory only (tests, benchmarks).</summary>
    public static DaemonIdentity CreateEphemeral()
    {
        using var certificate = CreateCertificate();
        return new DaemonIdentity(X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null));
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(KeyBits);
        var request = new CertificateRequest($"CN=s2cd {Environment.MachineName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
    }

    public void Dispose()
    {
        Key.Dispose();
        Certificate.Dispose();
    }
}
