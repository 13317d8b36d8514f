using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Control;
using S2cd.Relay;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Transport.RelayLink;
using S2cd.Video;
using S2cd.Platform;

namespace S2cd.Hosting;

/// <summary>Parses the command line, loads and checks the configuration, and runs the host.</summary>
internal static class DaemonProgram
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;
    public const int ExitConfig = 78;
    public const string DefaultConfigPath = "/etc/s2cd/s2cd.json";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.Out.Write(CommandLine.HelpText);
            return ExitOk;
        }

        if (args.Contains("--version"))
        {
            Console.Out.WriteLine($"s2cd {DaemonInfo.Version}");
            return ExitOk;
        }

        var parsed = CommandLine.Parse(args);
        if (parsed.Error is not null)
        {
            Console.Error.WriteLine($"s2cd: {parsed.Error} (see s2cd --help)");
            return ExitUsage;
        }

        IConfigurationRoot configuration;
        Settings settings;
        try
        {
            configuration = BuildConfiguration(parsed.ConfigFile, parsed.Settings);
            settings = Settings.Bind(configuration);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException or FileNotFoundException or IOException)
        {
            Console.Error.WriteLine($"s2cd: invalid configuration: {OneLine(ex)}");
            return ExitConfig;
        }

        var problem = OptionsValidator.Validate(settings);
        if (problem is not null)
        {
            Console.Error.WriteLine($"s2cd: {problem}");
            return ExitConfig;
        }

        using var host = BuildHost(configuration, settings);
        try
        {
            await host.RunAsync().ConfigureAwait(false);
            return ExitOk;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"s2cd: {OneLine(ex)}");
            return ExitFailure;
        }
    }

    internal static IConfigurationRoot BuildConfiguration(string? configFile, IEnumerable<KeyValuePair<string, string?>> commandLine)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"config file {configFile} does not exist");
            }

            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        else
        {
            builder.AddJsonFile(DefaultConfigPath, optional: true, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables("S2CD_");
        builder.AddInMemoryCollection(commandLine);
        return builder.Build();
    }

    private static IHost BuildHost(IConfigurationRoot configuration, Settings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "s2cd",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(4);

            // Our services restart themselves (SupervisedService); whatever still escapes one must not stop the others.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });

        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);

        // A start that fails for a reason we know (socket taken, port in use, unreadable identity) is reported
        // by RunAsync as one line; the host's own "Hosting failed to start" would put a stack trace before it.
        // A background service that brings the host down is still logged, at Critical, with its exception.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        // Under systemd: journald log format and sd_notify. NOTIFY_SOCKET alone (a supervisor other than
        // systemd, or a test) also gets READY=1 and STOPPING=1.
        builder.Services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Options.Create(settings.Daemon));
        builder.Services.AddSingleton(Options.Create(settings.Control));
        builder.Services.AddSingleton(Options.Create(settings.Conference));
        builder.Services.AddSingleton(Options.Create(settings.Relay));
        builder.Services.AddSingleton(Options.Create(settings.Video));
        builder.Services.AddSingleton(Options.Create(settings.Audio));
        builder.Services.AddSingleton<LoopHealth>();
        builder.Services.AddSingleton<EventHub>();
        builder.Services.AddSingleton<PictureStore>();
        builder.Services.AddSingleton<VideoReceiver>();
        builder.Services.AddSingleton<AudioMixer>();
        builder.Services.AddSingleton<IAudioSink>(sp => sp.GetRequiredService<AudioMixer>());
        builder.Services.AddSingleton<IVideoSink, VideoSink>();
        builder.Services.AddSingleton(new RelayPlacement(settings.Daemon.IsRelay, settings.Daemon.ResolvedStateDirectory));
        builder.Services.AddSingleton<RelayServer>();
        builder.Services.AddSingleton<IConferenceTransport>(sp => new TlsRelayTransport(
            new RelayLinkOptions
            {
                Tls = settings.Conference.Tls,
                RelayFingerprint = settings.Conference.RelayFingerprint,
                ReconnectMax = TimeSpan.FromSeconds(settings.Conference.ReconnectMaxSeconds),
                Connection = settings.Relay.ConnectionOptions(),
            },
            new KnownRelays(settings.Daemon.ResolvedStateDirectory),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TlsRelayTransport>>()));
        builder.Services.AddSingleton<ConferenceLink>();
        builder.Services.AddSingleton<ControlServer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RelayServer>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlServer>());
        if (!settings.Daemon.IsRelay)
        {
            builder.Services.AddHostedService<CameraService>();
            builder.Services.AddHostedService<AudioService>();
        }

        // The watchdog only when a service manager asked for it, and so also gave a notify socket.
        var notifying = SystemdHelpers.IsSystemdService() || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));
        if (notifying && WatchdogService.RequestedInterval() is not null)
        {
            builder.Services.AddHostedService<WatchdogService>();
        }
        return builder.Build();
    }

    private static string OneLine(Exception ex)
    {
        var message = ex.InnerException is { } inner && ex is not FileNotFoundException ? $"{ex.Message} ({inner.Message})" : ex.Message;
        return message.ReplaceLineEndings(" ");
    }
}
