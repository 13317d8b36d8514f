using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Control;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Transport;
using S2cd.Transport.RelayLink;
using S2cd.Video;

namespace S2cd.Hosting;

/// <summary>The daemon's parts and how they plug together: the one place that knows them all.</summary>
internal static class DaemonServices
{
    public static IServiceCollection AddDaemonParts(this IServiceCollection services, Settings settings)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(settings.Daemon));
        services.AddSingleton(Options.Create(settings.Control));
        services.AddSingleton(Options.Create(settings.Conference));
        services.AddSingleton(Options.Create(settings.Relay));
        services.AddSingleton(Options.Create(settings.Video));
        services.AddSingleton(Options.Create(settings.Audio));
        services.AddSingleton<LoopHealth>();
        services.AddSingleton<EventHub>();
        services.AddSingleton(new RelayPlacement(settings.Daemon.IsRelay, settings.Daemon.ResolvedStateDirectory));
        services.AddSingleton<RelayServer>();
        services.AddSingleton<IRelayFigures>(sp => new Relay.Web.RelayWithWebFront(sp.GetRequiredService<RelayServer>(), sp.GetService<Relay.Web.RelayWebFront>()));
        services.AddSingleton<ControlServer>();
        services.AddHostedService(sp => sp.GetRequiredService<RelayServer>());

        // The web front starts before the control socket: a relay whose socket answers serves its pages too.
        if (settings.Daemon.IsRelay && settings.Relay.Web is not null)
        {
            services.AddSingleton<Relay.Web.RelayWebFront>();
            services.AddHostedService(sp => sp.GetRequiredService<Relay.Web.RelayWebFront>());
        }

        services.AddHostedService(sp => sp.GetRequiredService<ControlServer>());
        if (!settings.Daemon.IsRelay)
        {
            // Only a participant has a conference core, pictures, a mixer, a camera and sound devices.
            AddParticipantParts(services, settings);
        }

        return services;
    }

    private static void AddParticipantParts(IServiceCollection services, Settings settings)
    {
        services.AddSingleton<PictureStore>();
        services.AddSingleton<VideoReceiver>();
        services.AddSingleton<AudioMixer>();
        services.AddSingleton<IAudioSink>(sp => sp.GetRequiredService<AudioMixer>());
        services.AddSingleton<IVideoSink, VideoSink>();
        services.AddSingleton<IConferenceTransport>(sp => new TlsRelayTransport(
            new RelayLinkOptions
            {
                Tls = settings.Conference.Tls,
                Udp = settings.Conference.Udp,
                RelayFingerprint = settings.Conference.RelayFingerprint,
                ReconnectMax = TimeSpan.FromSeconds(settings.Conference.ReconnectMaxSeconds),
                Connection = settings.Relay.ConnectionOptions(),
            },
            new KnownRelays(settings.Daemon.ResolvedStateDirectory),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TlsRelayTransport>>()));
        services.AddSingleton<LocalDevices>();
        services.AddSingleton<EndToEndTrust>();
        services.AddSingleton<MediaRouter>();
        services.AddSingleton<StatusComposer>();
        services.AddSingleton<ConferenceLink>();
        services.AddSingleton(sp => new ConferenceParts(sp.GetRequiredService<ConferenceLink>(), sp.GetRequiredService<PictureStore>()));
        services.AddHostedService<CameraService>();
        services.AddHostedService<AudioService>();
        services.AddHostedService<RejoinService>();
    }
}
