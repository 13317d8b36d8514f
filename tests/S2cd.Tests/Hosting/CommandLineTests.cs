using S2cd.Hosting;

namespace S2cd.Tests.Hosting;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "--frobnicate", "1" }, "unknown option --frobnicate")]
    [InlineData(new[] { "--Relay:Frobnicate", "1" }, "unknown option --Relay:Frobnicate")]
    [InlineData(new[] { "--name", "a", "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--name" }, "--name needs a value")]
    [InlineData(new[] { "--relay", "r:1", "--Relay:Tls" }, "--Relay:Tls needs a value")]
    public void Parse_BadArguments_OneLineNamingTheArgument(string[] args, string error)
    {
        var parsed = CommandLine.Parse(args);
        Assert.Equal(error, parsed.Error);
        Assert.Empty(parsed.Settings);
    }

    [Fact]
    public void Parse_ShortOptionsAndKeys_BecomeConfigurationKeys_LastValueWins()
    {
        var parsed = CommandLine.Parse(
            ["--name", "first", "--relay:maxsessions", "7", "--Conference:Name=second", "--Control:Group", "", "--config", "/x.json", "--camera", "-1"]);
        Assert.Null(parsed.Error);
        Assert.Equal("/x.json", parsed.ConfigFile);
        Assert.Equal("second", parsed.Settings["Conference:Name"]);
        Assert.Equal("7", parsed.Settings["Relay:MaxSessions"]);
        Assert.Equal("", parsed.Settings["Control:Group"]);
        Assert.Equal("-1", parsed.Settings["Video:Camera"]);
        Assert.False(parsed.Help);
    }

    [Fact]
    public void Parse_EveryPropertyOfEveryOptionsClass_IsAnOption()
    {
        var keys = CommandLine.ConfigurationKeys().ToList();
        Assert.Contains("Audio:JitterMaxMilliseconds", keys);
        Assert.Contains("Relay:TestDropAudioFraction", keys);
        foreach (var key in keys)
        {
            var parsed = CommandLine.Parse([$"--{key}", "v"]);
            Assert.Null(parsed.Error);
            Assert.Equal("v", parsed.Settings[key]);
        }
    }

    [Fact]
    public void Parse_HelpAndVersion_AreFlags()
    {
        Assert.True(CommandLine.Parse(["--name", "x", "-h"]).Help);
        Assert.True(CommandLine.Parse(["--version"]).Version);
        Assert.Equal("--help", CommandLine.Parse(["--name", "--help"]).Settings["Conference:Name"]);
    }
}
