using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Hosting;
using S2cd.Tests.Support;
using S2cd.Video;

namespace S2cd.Tests.Hosting;

public sealed class DaemonServicesTests
{
    [Theory]
    [InlineData("relay", false)]
    [InlineData("participant", true)]
    public void TheRelayRole_HasNoConferenceCoreCameraAudioPicturesOrMixer(string role, bool expected)
    {
        using var root = new TempDirectory();
        var config = Path.Combine(root.Path, "s2cd.json");
        File.WriteAllText(config, "{}");
        var settings = Settings.Bind(DaemonProgram.BuildConfiguration(config, [new("Role", role), new("StateDirectory", root.Path)]));
        var services = new ServiceCollection().AddDaemonParts(settings);
        foreach (var part in new[] { typeof(ConferenceLink), typeof(PictureStore), typeof(AudioMixer), typeof(IVideoSink), typeof(IAudioSink) })
        {
            Assert.Equal(expected, services.Any(d => d.ServiceType == part));
        }

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).Select(d => d.ImplementationType).ToList();
        Assert.Equal(expected, hosted.Contains(typeof(CameraService)));
        Assert.Equal(expected, hosted.Contains(typeof(AudioService)));
    }
}
