using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using S2cd.Security;

namespace S2cd.Relay;

/// <summary>
/// The relay's side of TLS: its certificate (made once, kept in the state directory) and its fingerprint, and the
/// handshake: TLS 1.3 only, with a deadline, so that a silent client cannot hold a connection.
/// </summary>
internal sealed class RelayTls(X509Certificate2 certificate) : IDisposable
{
    /// <summary>The certificate's SHA-256 fingerprint, as participants pin it.</summary>
    public string Fingerprint { get; } = Security.Fingerprint.Of(certificate);

    /// <summary>Loads the certificate of <paramref name="stateDirectory"/>, or makes it (<paramref name="created"/>).</summary>
    public static RelayTls LoadOrCreate(string stateDirectory, out bool created) => new(RelayCertificate.LoadOrCreate(stateDirectory, out created));

    /// <summary>Runs the server's handshake on <paramref name="stream"/> within <paramref name="deadline"/>; the stream is closed when it fails.</summary>
    public async Task<Stream> AuthenticateAsync(Stream stream, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificateRequired = false,
                },
                timeout.Token).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => certificate.Dispose();
}
