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
        var parsed = CommandLine.Parse(args);
        if (parsed.Error is not null)
        {
            Console.Error.WriteLine($"s2cd: {parsed.Error} (see s2cd --help)");
            return ExitUsage;
        }

        if (parsed.Help)
        {
            Console.Out.Write(CommandLine.HelpText);
            return ExitOk;
        }

        if (parsed.Version)
        {
            Console.Out.WriteLine($"s2cd {DaemonInfo.Version}");
            return ExitOk;
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

        ConfigureLogging(builder.Logging, configuration);
        AddServiceManager(builder.Services);
        builder.Services.AddDaemonParts(settings);
        return builder.Build();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, IConfigurationRoot configuration)
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.SetMinimumLevel(LogLevel.Information);

        // A start that fails for a reason we know (socket taken, port in use, unreadable identity) is reported
        // by RunAsync as one line; the host's own "Hosting failed to start" would put a stack trace before it.
        // A background service that brings the host down is still logged, at Critical, with its exception.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    }

    private static void AddServiceManager(IServiceCollection services)
    {
        // Under systemd: journald log format and sd_notify. NOTIFY_SOCKET alone (a supervisor other than
        // systemd, or a test) also gets READY=1 and STOPPING=1.
        services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        // The watchdog only when a service manager asked for it, and so also gave a notify socket.
        var notifying = SystemdHelpers.IsSystemdService() || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));
        if (notifying && WatchdogService.RequestedInterval() is not null)
        {
            services.AddHostedService<WatchdogService>();
        }
    }

    private static string OneLine(Exception ex)
    {
        var message = ex.InnerException is { } inner && ex is not FileNotFoundException ? $"{ex.Message} ({inner.Message})" : ex.Message;
        return message.ReplaceLineEndings(" ");
    }
}
