using System.CommandLine;
using S2cd.Contract;
using S2cAttach.Share;

namespace S2cAttach;

/// <summary>
/// Sharing a terminal: <c>share</c> runs a program here and streams its screen to the call as text; <c>screen</c>
/// prints what a member shares now.
/// </summary>
internal static class ShareVerbs
{
    public static void AddTo(RootCommand root)
    {
        var program = new Argument<string[]>("COMMAND")
        {
            Description = "the program to share and its arguments, after -- (default: $SHELL)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var share = new Command("share", "run a program in this terminal and share its screen with the call, as text sealed end to end (Ctrl-] ends the share)") { program };
        share.SetAction((parse, ct) =>
        {
            var argv = parse.GetValue(program) is { Length: > 0 } given ? given : [Environment.GetEnvironmentVariable("SHELL") is { Length: > 0 } shell ? shell : "/bin/sh"];
            return Cli.RunVerbAsync(parse, (c, _, t) => new ShareSession(c, argv).RunAsync(t), ct);
        });
        root.Subcommands.Add(share);

        var name = new Argument<string>("NAME") { Description = "the participant, as who shows them" };
        var ansi = new Option<bool>("--ansi") { Description = "with the screen's colours (SGR sequences, nothing else)" };
        var screen = new Command("screen", "print the terminal screen a participant shares now") { name, ansi };
        screen.SetAction((parse, ct) => Cli.RunVerbAsync(
            parse,
            async (c, json, t) =>
            {
                var text = await c.Daemon.ScreenAsync(parse.GetValue(name)!, parse.GetValue(ansi), t).ConfigureAwait(false);
                if (json)
                {
                    return Cli.PrintJson(text);
                }

                Console.Out.Write(text.Ansi ?? string.Join('\n', text.Lines) + "\n");
                return ExitCodes.Ok;
            },
            ct));
        root.Subcommands.Add(screen);
    }
}
