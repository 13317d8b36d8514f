using S2cd.Contract;

namespace S2cd.Tests.Contract;

public sealed class NameRulesTests
{
    [Theory]
    [InlineData("session1", true)]
    [InlineData("team.daily_standup-2", true)]
    [InlineData("", false)]
    [InlineData("with space", false)]
    [InlineData("ünïcode", false)]
    [InlineData("a/b", false)]
    public void CheckSession_AcceptsOnlyThePlainAlphabet(string session, bool valid) =>
        Assert.Equal(valid, NameRules.CheckSession(session) is null);

    [Fact]
    public void CheckSession_65Characters_IsTooLong() =>
        Assert.Contains("at most 64", NameRules.CheckSession(new string('s', 65)), StringComparison.Ordinal);

    [Theory]
    [InlineData("Zoë Ångström", true)]
    [InlineData("bob@laptop", true)]
    [InlineData("line\nbreak", false)]
    [InlineData("rtl\u202Eoverride", false)]
    [InlineData("   ", false)]
    public void CheckDisplayName_RefusesControlAndFormatCharacters(string name, bool valid) =>
        Assert.Equal(valid, NameRules.CheckDisplayName(name) is null);

    [Theory]
    [InlineData("127.0.0.1:1122", "127.0.0.1", 1122)]
    [InlineData("relay.example:443", "relay.example", 443)]
    [InlineData("[::1]:1122", "::1", 1122)]
    public void TryParseEndpoint_Valid_SplitsHostAndPort(string value, string host, int port)
    {
        Assert.Null(NameRules.TryParseEndpoint(value, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("nocolon")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("::1:1122")]
    [InlineData("bad host:1")]
    public void TryParseEndpoint_Invalid_SaysWhy(string value) =>
        Assert.NotNull(NameRules.TryParseEndpoint(value, out _, out _));

    [Fact]
    public void TryParseEndpoint_PortZero_OnlyForListening() =>
        Assert.Null(NameRules.TryParseEndpoint("127.0.0.1:0", out _, out _, allowAnyPort: true));
}
