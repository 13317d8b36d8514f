using System.Net.Security;
using System.Security.Authentication;
using S2cd.Contract;
using S2cd.Security;

namespace S2cd.Transport.RelayLink;

/// <summary>
/// TLS 1.3 to the relay, trusting its certificate by fingerprint: the configured one, else the one pinned in
/// known_relays, else (first use) the one presented, which is then pinned, as ssh does with known_hosts.
/// </summary>
internal static class RelayPinning
{
    /// <summary>What securing a connection gave: the TLS stream and the relay's fingerprint, or why not.</summary>
    internal sealed record Result(Stream? Stream, string? Fingerprint, string? Problem, bool Mismatch, bool PinnedAtFirstUse);

    public static async Task<Result> SecureAsync(
        Stream stream, string relay, string? configured, string configuredSource, KnownRelays knownRelays, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var known = knownRelays.Find(relay);
        var expected = configured ?? known;
        string? presented = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : Fingerprint.Of(certificate.GetRawCertData());
            return presented is not null && (expected is null || expected == presented);
        });
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            _ = NameRules.TryParseEndpoint(relay, out var host, out _);
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = host, EnabledSslProtocols = SslProtocols.Tls13 },
                deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (presented is not null && expected is not null && presented != expected)
            {
                var source = configured is not null ? configuredSource : knownRelays.Path;
                return new Result(null, presented, $"relay {relay} presented certificate {presented}, but {source} expects {expected}. "
                    + $"If the relay's certificate was replaced on purpose, remove the line for {relay} from {knownRelays.Path} "
                    + "(or set Conference:RelayFingerprint to the new fingerprint, which the relay logs) and join again", true, false);
            }

            return new Result(null, presented, $"TLS with the relay failed: {ex.Message}", false, false);
        }

        if (known is null)
        {
            // First use, or a fingerprint given out of band (the join's or the configured one): pinned from now on.
            knownRelays.Remember(relay, presented!);
        }

        return new Result(ssl, presented, null, false, expected is null);
    }
}
