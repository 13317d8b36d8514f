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
        var size = new Option<string?>("--size")
        {
            Description = "COLSxROWS of the shared screen when this is not a terminal (a script's share; default 80x24)",
            CustomParser = result =>
            {
                var parts = result.Tokens is [var token] ? token.Value.Split('x') : [];
                if (parts is [var c, var r] && int.TryParse(c, out var cols) && int.TryParse(r, out var rows)
                    && cols is >= 1 and <= ScreenGrid.MaxCols && rows is >= 1 and <= ScreenGrid.MaxRows)
                {
                    return $"{cols}x{rows}";
                }

                result.AddError($"--size must be COLSxROWS, at most {ScreenGrid.MaxCols}x{ScreenGrid.MaxRows}");
                return null;
            },
        };
        var share = new Command("share", "run a program in this terminal and share its screen with the call, as text sealed end to end (Ctrl-] ends the share)") { program, size };
        share.SetAction((parse, ct) =>
        {
            var argv = parse.GetValue(program) is { Length: > 0 } given ? given : [Environment.GetEnvironmentVariable("SHELL") is { Length: > 0 } shell ? shell : "/bin/sh"];
            var fixedSize = parse.GetValue(size) is { } s ? (int.Parse(s.Split('x')[0]), int.Parse(s.Split('x')[1])) : (80, 24);
            return Cli.RunVerbAsync(parse, (c, _, t) => new ShareSession(c, argv, fixedSize).RunAsync(t), ct);
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
