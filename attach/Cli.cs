using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using S2cd.Contract;
using S2cAttach.View;
using StreamJsonRpc;

namespace S2cAttach;

/// <summary>The verbs of s2c-attach. Each connects, says hello, makes one or two calls and prints the result.</summary>
internal static class Cli
{
    private static readonly Option<string?> SocketOption = new("--socket")
    {
        Description = "the daemon's control socket (default: $S2CD_SOCKET, a per-user daemon's, or /run/s2cd/s2cd.sock)",
        Recursive = true,
    };

    private static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "print the result as JSON, for scripts",
        Recursive = true,
    };

    private static readonly Option<string?> ModeOption = new("--mode")
    {
        Description = "ascii, ascii-color or blocks (default: from COLORTERM and TERM)",
        Recursive = true,
    };

    private static readonly Option<bool> InvertOption = new("--invert")
    {
        Description = "for light terminal backgrounds (ascii modes)",
        Recursive = true,
    };

    private static readonly Option<bool> HideSelfOption = new("--hide-self")
    {
        Description = "leave your own picture out of the view",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = BuildCommand();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"s2c-attach: {error.Message}");
            }

            Console.Error.WriteLine("Try 's2c-attach --help'.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    internal static RootCommand BuildCommand()
    {
        var root = new RootCommand("s2c-attach — join, control and watch s2cd conference sessions from a terminal.");
        root.Options.Add(SocketOption);
        root.Options.Add(JsonOption);
        ModeOption.AcceptOnlyFromAmong("ascii", "ascii-color", "blocks");
        root.Options.Add(ModeOption);
        root.Options.Add(InvertOption);
        root.Options.Add(HideSelfOption);
        root.SetAction((parse, ct) => RunVerbAsync(parse, (c, j, t) => j ? Status(c, j, t) : OpenView(c, parse, preview: false, t), ct));

        var session = new Argument<string>("SESSION") { Description = "the session to join: letters, digits, '.', '_' and '-', at most 64" };
        var relay = new Option<string?>("--relay") { Description = "the relay as HOST:PORT, or several as HOST:PORT,HOST:PORT tried in turn (default: the daemon's Conference:Relay)" };
        var name = new Option<string?>("--name") { Description = "the name others see (default: the daemon's Conference:Name)" };
        var passphrase = new Option<string?>("--passphrase")
        {
            Description = "the session passphrase; give --passphrase alone to be asked for it (it then stays out of ps and your shell history)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var fingerprint = new Option<string?>("--relay-fingerprint") { Description = "the relay's certificate fingerprint (SHA256:..., as its web page or log shows it): the join fails on any other certificate, and it is pinned for that relay" };
        var detach = new Option<bool>("--detach") { Description = "join and return, without opening the view" };
        var join = new Command("join", "join a session (leaving the current one) and open the view") { session, relay, name, passphrase, fingerprint, detach };
        join.Validators.Add(result =>
        {
            var problem = NameRules.CheckSession(result.GetValue(session))
                ?? (result.GetValue(name) is { } n ? NameRules.CheckDisplayName(n) : null)
                ?? (result.GetValue(relay) is { } r && NameRules.TryParseRelays(r, out _) is { } rp ? $"--relay: {rp}" : null)
                ?? NameRules.CheckPassphrase(result.GetValue(passphrase))
                ?? (NameRules.CheckFingerprint(result.GetValue(fingerprint)) is { } fp ? $"--relay-fingerprint: {fp}" : null);
            if (problem is not null)
            {
                result.AddError(problem);
            }
        });
        join.SetAction((parse, ct) => RunVerbAsync(
            parse,
            async (client, json, token) =>
            {
                var secret = parse.GetValue(passphrase);
                if (secret is null && parse.GetResult(passphrase) is not null)
                {
                    secret = PassphrasePrompt.Read();
                    if (NameRules.CheckPassphrase(secret ?? string.Empty) is { } problem)
                    {
                        Console.Error.WriteLine($"s2c-attach: passphrase: {problem}");
                        return ExitCodes.Usage;
                    }
                }

                var code = await Join(client, json, new JoinRequest
                {
                    Session = parse.GetValue(session)!,
                    Relay = parse.GetValue(relay),
                    Name = parse.GetValue(name),
                    Passphrase = secret,
                    RelayFingerprint = parse.GetValue(fingerprint),
                }, token).ConfigureAwait(false);

                // A script, or output that is not a terminal, gets the plain answer; a person gets the call.
                var interactive = TerminalInfo.IsTerminal(0) && TerminalInfo.IsTerminal(1);
                return code != ExitCodes.Ok || json || parse.GetValue(detach) || !interactive
                    ? code
                    : await OpenView(client, parse, preview: false, token).ConfigureAwait(false);
            },
            ct));
        root.Subcommands.Add(join);

        root.Subcommands.Add(Simple("leave", "leave the session", (c, j, t) => Change(c.Daemon.LeaveAsync(t), j, "Left the session.")));
        root.Subcommands.Add(Simple("mute", "mute the microphone", (c, j, t) => Change(c.Daemon.SetMutedAsync(true, t), j, "Microphone muted.")));
        root.Subcommands.Add(Simple("unmute", "unmute the microphone", (c, j, t) => Change(c.Daemon.SetMutedAsync(false, t), j, "Microphone on.")));

        var state = new Argument<string>("on|off") { Description = "on or off" };
        state.AcceptOnlyFromAmong("on", "off");
        var camera = new Command("camera", "turn the camera on or off") { state };
        camera.SetAction((parse, ct) => RunVerbAsync(
            parse,
            (c, j, t) =>
            {
                var on = parse.GetValue(state) == "on";
                return Change(c.Daemon.SetCameraAsync(on, t), j, on ? "Camera on." : "Camera off.");
            },
            ct));
        root.Subcommands.Add(camera);

        var who = new Argument<string>("NAME") { Description = "the participant, as who shows them" };
        var percent = new Argument<int>("PERCENT")
        {
            Description = "0 (silent) to 200; 100 is as they sound",

            // Parsed here, so that "loud" or "300" is a usage error (exit 2) and never an exception.
            CustomParser = result =>
            {
                if (result.Tokens is [var token] && int.TryParse(token.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= 200)
                {
                    return value;
                }

                result.AddError("PERCENT must be a whole number from 0 to 200");
                return 0;
            },
        };
        var volume = new Command("volume", "play one participant louder or quieter, for the rest of the session") { who, percent };
        volume.SetAction((parse, ct) => RunVerbAsync(
            parse,
            async (c, j, t) =>
            {
                var members = await c.Daemon.SetVolumeAsync(parse.GetValue(who)!, parse.GetValue(percent), t).ConfigureAwait(false);
                if (j)
                {
                    return PrintJson(members);
                }

                Console.Out.WriteLine($"{Output.Clean(parse.GetValue(who)!)} now plays at {parse.GetValue(percent)}%.");
                return ExitCodes.Ok;
            },
            ct));
        root.Subcommands.Add(volume);

        ChatVerbs.AddTo(root);
        ShareVerbs.AddTo(root);
        root.Subcommands.Add(Simple("status", "show the daemon's state: session, relay link, mute, camera", Status));
        root.Subcommands.Add(Simple("who", "list the participants of the session", Who));
        root.Subcommands.Add(Simple("devices", "list cameras and ALSA capture and playback devices", Devices));

        var preview = new Command("preview", "show your own camera without joining a session");
        preview.SetAction((parse, ct) => RunVerbAsync(parse, (c, _, t) => OpenView(c, parse, preview: true, t), ct));
        root.Subcommands.Add(preview);
        return root;
    }

    private static Command Simple(string name, string description, Func<ControlClient, bool, CancellationToken, Task<int>> verb)
    {
        var command = new Command(name, description);
        command.SetAction((parse, ct) => RunVerbAsync(parse, verb, ct));
        return command;
    }

    /// <summary>Connects, runs one verb, and turns the ways it can fail into a message and an exit code.</summary>
    internal static async Task<int> RunVerbAsync(ParseResult parse, Func<ControlClient, bool, CancellationToken, Task<int>> verb, CancellationToken cancellationToken)
    {
        var socket = SocketPath(parse);
        var json = parse.GetValue(JsonOption);
        try
        {
            var client = await ControlClient.ConnectAsync(socket, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                return await verb(client, json, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DaemonUnreachableException ex)
        {
            Console.Error.WriteLine($"s2c-attach: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (RemoteInvocationException ex)
        {
            Console.Error.WriteLine($"s2c-attach: {ex.Message}");
            return ExitCodes.Refused;
        }
        catch (ConnectionLostException)
        {
            Console.Error.WriteLine("s2c-attach: the daemon closed the connection");
            return ExitCodes.Unreachable;
        }
    }

    private static async Task<int> Join(ControlClient client, bool json, JoinRequest request, CancellationToken cancellationToken)
    {
        var status = await client.Daemon.JoinAsync(request, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            return PrintJson(status);
        }

        Console.Out.WriteLine($"Joined {status.Session} on {status.Relay} as {status.Name}: {status.Participants} in the session.");
        return ExitCodes.Ok;
    }

    private static async Task<int> Change(Task<StatusResult> call, bool json, string done)
    {
        var status = await call.ConfigureAwait(false);
        if (json)
        {
            return PrintJson(status);
        }

        Console.Out.WriteLine(done);
        return ExitCodes.Ok;
    }

    private static async Task<int> Status(ControlClient client, bool json, CancellationToken cancellationToken)
    {
        var status = await client.Daemon.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (json)
        {
            return PrintJson(status);
        }

        Console.Out.Write(Output.FormatStatus(status));
        if (status.Session is not null && client.Hello.Role == DaemonRole.Participant)
        {
            foreach (var member in (await client.Daemon.ParticipantsAsync(cancellationToken).ConfigureAwait(false)).Where(m => m.Sharing is not null))
            {
                Console.Out.WriteLine($"Sharing    {Output.Clean(member.Name)}{(member.IsSelf ? " (you)" : string.Empty)}, a terminal of {member.Sharing} (s2c-attach screen {Output.Clean(member.Name)})");
            }
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> Who(ControlClient client, bool json, CancellationToken cancellationToken)
    {
        var members = await client.Daemon.ParticipantsAsync(cancellationToken).ConfigureAwait(false);
        if (json)
        {
            return PrintJson(members);
        }

        var status = await client.Daemon.StatusAsync(cancellationToken).ConfigureAwait(false);
        Console.Out.Write(Output.FormatWho(members, status.CallCode));
        return ExitCodes.Ok;
    }

    private static async Task<int> Devices(ControlClient client, bool json, CancellationToken cancellationToken)
    {
        var devices = await client.Daemon.DevicesAsync(cancellationToken).ConfigureAwait(false);
        if (json)
        {
            return PrintJson(devices);
        }

        Console.Out.Write(Output.FormatDevices(devices));
        return ExitCodes.Ok;
    }

    private static Task<int> OpenView(ControlClient client, ParseResult parse, bool preview, CancellationToken cancellationToken)
    {
        var (mode, colors) = TerminalInfo.Detect(Environment.GetEnvironmentVariable("COLORTERM"), Environment.GetEnvironmentVariable("TERM"));
        var (columns, rows) = TerminalInfo.Size();
        var request = new ViewRequest
        {
            Columns = Math.Clamp(columns, 8, 1000),
            Rows = Math.Clamp(rows, 4, 400),
            Mode = parse.GetValue(ModeOption) ?? mode,
            Colors = colors,
            Invert = parse.GetValue(InvertOption),
            HideSelf = parse.GetValue(HideSelfOption),
            Preview = preview,
        };
        var socket = SocketPath(parse);
        return new TerminalView(client, ct => ControlClient.ConnectAsync(socket, ct), request).RunAsync(cancellationToken);
    }

    private static string SocketPath(ParseResult parse)
    {
        var socket = parse.GetValue(SocketOption) ?? Environment.GetEnvironmentVariable(ControlProtocol.SocketEnvironmentVariable);
        return string.IsNullOrEmpty(socket) ? ControlProtocol.ClientDefaultSocketPath() : socket;
    }

    /// <summary>Prints <paramref name="value"/> as indented JSON with the contract's metadata.</summary>
    internal static int PrintJson<T>(T value)
    {
        var options = ControlJson.CreateOptions();
        options.WriteIndented = true;
        Console.Out.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T))));
        return ExitCodes.Ok;
    }
}
