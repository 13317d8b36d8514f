using S2cd.Contract;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Control;
using S2cd.Hosting;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Video;

namespace S2cd.Tests.Hosting;

public sealed class OptionsValidatorTests
{
    private static Settings Defaults() => new(new DaemonOptions(), new ControlOptions(), new ConferenceOptions(), new RelayOptions(), new VideoOptions(), new AudioOptions());

    [Fact]
    public void TheDefaults_AreValid() => Assert.Null(OptionsValidator.Validate(Defaults()));

    [Fact]
    public void AnnotatedRanges_AndRangesThatDependOnAnotherSetting_SayKeyValueAndWhatIsAllowed()
    {
        var d = Defaults();
        Assert.Equal("invalid configuration: Relay:HeartbeatSeconds = '0.01': expected 0.05 to 60", OptionsValidator.Validate(d with { Relay = new RelayOptions { HeartbeatSeconds = 0.01 } }));
        Assert.Equal("invalid configuration: Control:MaxClients = '0': expected 1 to 1024", OptionsValidator.Validate(d with { Control = new ControlOptions { MaxClients = 0 } }));
        Assert.Equal("invalid configuration: Video:WireWidth = '2000': expected 16 to 1280", OptionsValidator.Validate(d with { Video = new VideoOptions { WireWidth = 2000 } }));
        Assert.Equal("invalid configuration: Audio:Bitrate = '1': expected 6000 to 128000", OptionsValidator.Validate(d with { Audio = new AudioOptions { Bitrate = 1 } }));
        Assert.Equal("invalid configuration: Conference:ReconnectMaxSeconds = '0': expected 0.1 to 300", OptionsValidator.Validate(d with { Conference = new ConferenceOptions { ReconnectMaxSeconds = 0 } }));
        Assert.Equal("invalid configuration: Relay:TimeoutSeconds = '1': expected 2 to 600", OptionsValidator.Validate(d with { Relay = new RelayOptions { HeartbeatSeconds = 1, TimeoutSeconds = 1 } }));
        Assert.Equal("invalid configuration: Audio:JitterStartMilliseconds = '5': expected 10 to 200", OptionsValidator.Validate(d with { Audio = new AudioOptions { JitterStartMilliseconds = 5 } }));
        Assert.Equal("invalid configuration: Audio:EchoTailMs = '30': expected 40 to 1000", OptionsValidator.Validate(d with { Audio = new AudioOptions { EchoTailMs = 30 } }));
        Assert.Equal("invalid configuration: Audio:NoiseSuppressDb = '0': expected 3 to 60", OptionsValidator.Validate(d with { Audio = new AudioOptions { NoiseSuppressDb = 0 } }));
        Assert.Equal("invalid configuration: Relay:Web = '127.0.0.1:8122': expected nothing here: only a relay of its own (--role relay) serves a web front, never a participant's embedded relay", OptionsValidator.Validate(d with { Relay = new RelayOptions { Web = "127.0.0.1:8122" } }));
        Assert.Equal("invalid configuration: Relay:Web = 'example.org:8122': expected an IP address or localhost with a port, such as 127.0.0.1:8122", OptionsValidator.Validate(d with { Daemon = new DaemonOptions { Role = DaemonRole.Relay }, Relay = new RelayOptions { Web = "example.org:8122" } }));
        Assert.Null(OptionsValidator.Validate(d with { Daemon = new DaemonOptions { Role = DaemonRole.Relay }, Relay = new RelayOptions { Web = "127.0.0.1:8122", PublicAddress = "relay.example.org:1122" } }));
        Assert.Equal("invalid configuration: Audio:GainTargetDbfs = '0': expected -40 to -6", OptionsValidator.Validate(d with { Audio = new AudioOptions { GainTargetDbfs = 0 } }));
    }

    [Fact]
    public void AWebToken_NeedsAWebFront_AndAShapeOfItsOwn_AndIsNeverShown()
    {
        var d = Defaults();
        var relay = new DaemonOptions { Role = DaemonRole.Relay };
        Assert.Equal("invalid configuration: Relay:WebToken is set but Relay:Web is not: only a web front asks for it", OptionsValidator.Validate(d with { Daemon = relay, Relay = new RelayOptions { WebToken = "0123456789abcdef" } }));
        foreach (var token in new[] { "short-secret", "has a space in it ok", "tab\tinside-0123456789", "wide-ü-0123456789", new string('x', 257) })
        {
            var problem = OptionsValidator.Validate(d with { Daemon = relay, Relay = new RelayOptions { Web = "127.0.0.1:8122", WebToken = token } });
            Assert.NotNull(problem);
            Assert.StartsWith("invalid configuration: Relay:WebToken (not shown,", problem, StringComparison.Ordinal);
            Assert.DoesNotContain(token, problem, StringComparison.Ordinal);
        }

        Assert.Null(OptionsValidator.Validate(d with { Daemon = relay, Relay = new RelayOptions { Web = "127.0.0.1:8122", WebToken = "0123456789abcdef" } }));
    }

    [Fact]
    public void TheJoinLinesAddresses_AreCheckedBeforeTheyReachAPageOrAScript()
    {
        var d = Defaults();
        var relay = new DaemonOptions { Role = DaemonRole.Relay };
        string? Check(RelayOptions options) => OptionsValidator.Validate(d with { Daemon = relay, Relay = options });
        foreach (var good in new[] { "https://call.example.org", "https://call.example.org/", "http://127.0.0.1:8122", "https://[2001:db8::1]:8443" })
        {
            Assert.Null(Check(new RelayOptions { PublicWebUrl = good }));
        }

        foreach (var (bad, why) in new[]
        {
            ("call.example.org", "an http:// or https:// address"),
            ("ftp://call.example.org", "an http:// or https:// address"),
            ("https://call.example.org/rooms", "no path, query or user"),
            ("https://user@call.example.org", "no path, query or user"),
            ("https://call.example.org/?a=b", "no path, query or user"),
        })
        {
            var problem = Check(new RelayOptions { PublicWebUrl = bad });
            Assert.NotNull(problem);
            Assert.StartsWith("invalid configuration: Relay:PublicWebUrl", problem, StringComparison.Ordinal);
            Assert.Contains(why, problem, StringComparison.Ordinal);
        }

        Assert.Null(Check(new RelayOptions { TrustedProxies = "127.0.0.1, ::1,10.1.2.3" }));
        Assert.Contains("'10.0.0.0/8' is not an IP address", Check(new RelayOptions { TrustedProxies = "10.0.0.0/8" }), StringComparison.Ordinal);
        Assert.Contains("'proxy.local' is not an IP address", Check(new RelayOptions { TrustedProxies = "127.0.0.1,proxy.local" }), StringComparison.Ordinal);
        Assert.Contains("Relay:TrustedProxies", Check(new RelayOptions { TrustedProxies = " , " }), StringComparison.Ordinal);
        Assert.Contains("Relay:DownloadsFrom", Check(new RelayOptions { DownloadsFrom = "usr/lib/s2cd" }), StringComparison.Ordinal);
        Assert.Contains("Relay:MaxConcurrentDownloads", Check(new RelayOptions { MaxConcurrentDownloads = 0 }), StringComparison.Ordinal);
    }
    [Fact]
    public void TheFabricsTlsFiles_GoTogether_AndMustExist()
    {
        var d = Defaults();
        var key = Convert.ToBase64String(new byte[32]);
        var here = typeof(OptionsValidatorTests).Assembly.Location;
        string? Check(string? ca, string? certificate, string? certificateKey) => OptionsValidator.Validate(d with
        {
            Relay = new RelayOptions { Fabric = "tls://127.0.0.1:4222", FabricKey = key, FabricCa = ca, FabricCertificate = certificate, FabricCertificateKey = certificateKey },
        });
        Assert.Null(Check(here, here, here));
        Assert.Equal(
            "invalid configuration: Relay:FabricCertificate and Relay:FabricCertificateKey go together: the relay's client certificate and its private key, PEM files",
            Check(null, here, null));
        Assert.Equal("invalid configuration: Relay:FabricCa = '/nonexistent/ca.pem': expected a file that exists", Check("/nonexistent/ca.pem", null, null));
        Assert.Contains("Relay:FabricCertificateKey", Check(null, here, "/nonexistent/key.pem"), StringComparison.Ordinal);
    }
}
