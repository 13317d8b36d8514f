using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using S2cd.Contract;
using S2cAttach.View;

namespace S2cAttach;

/// <summary>
/// The chat's verbs: <c>say</c> sends a message (from its words or stdin), <c>chat</c> prints the call's messages so
/// far and, with <c>--follow</c>, new ones as they come. With <c>--json</c> each message is one line of JSON (sender,
/// fingerprint, time, text), so a script can read them as they come.
/// </summary>
internal static class ChatVerbs
{
    private static readonly JsonSerializerOptions JsonOptions = ControlJson.CreateOptions();
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void AddTo(RootCommand root)
    {
        var words = new Argument<string[]>("TEXT")
        {
            Description = $"the message (its words are joined with spaces); without it the message is read from stdin, at most {ControlProtocol.MaxChatBytes} bytes of UTF-8",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var say = new Command("say", "send a chat message to everyone in the session (end-to-end encrypted)") { words };
        say.SetAction((parse, ct) =>
        {
            var given = parse.GetValue(words) ?? [];
            var (text, problem) = given.Length > 0 ? (string.Join(' ', given), null) : ReadStdin();
            if (problem is not null)
            {
                Console.Error.WriteLine($"s2c-attach: say: {problem}");
                return Task.FromResult(ExitCodes.Usage);
            }

            return Cli.RunVerbAsync(parse, (c, j, t) => SayAsync(c, j, text!, t), ct);
        });
        root.Subcommands.Add(say);

        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new messages as they come (Ctrl-C ends)" };
        var chat = new Command("chat", "print the call's chat messages (those since this daemon joined)") { follow };
        chat.SetAction((parse, ct) => Cli.RunVerbAsync(parse, (c, j, t) => PrintAsync(c, j, parse.GetValue(follow), t), ct));
        root.Subcommands.Add(chat);
    }

    private static async Task<int> SayAsync(ControlClient client, bool json, string text, CancellationToken cancellationToken)
    {
        var sent = await client.Daemon.SayAsync(text, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            Console.Out.WriteLine(JsonLine(sent));
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> PrintAsync(ControlClient client, bool json, bool follow, CancellationToken cancellationToken)
    {
        var after = 0L;
        try
        {
            while (true)
            {
                var wait = follow ? 30_000 : 0;
                var messages = await client.Daemon.ChatAsync(after, wait, cancellationToken).ConfigureAwait(false);
                foreach (var message in messages)
                {
                    Console.Out.Write(json ? JsonLine(message) + "\n" : Format(message));
                    after = message.Id;
                }

                await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (messages.Length == 0 && !follow)
                {
                    return ExitCodes.Ok;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }

    /// <summary>"12:04 alice: text", the text made harmless (<see cref="TextCells.Visible"/>) and its later lines indented.</summary>
    internal static string Format(ChatMessage message)
    {
        var time = message.Time.ToLocalTime().ToString("HH:mm", CultureInfo.InvariantCulture);
        var lines = TextCells.Visible(message.Text).Split('\n').Select(Output.Clean);
        return $"{time} {Output.Clean(message.From)}{(message.IsSelf ? " (you)" : string.Empty)}: {string.Join("\n      ", lines)}\n";
    }

    // Text as UTF-8, not \uXXXX (control characters are still escaped): what the daemon's own JSON does.
    private static string JsonLine(ChatMessage message) =>
        JsonSerializer.Serialize(message, (JsonTypeInfo<ChatMessage>)JsonOptions.GetTypeInfo(typeof(ChatMessage)));

    /// <summary>The message on stdin: at most the limit, valid UTF-8, one final line break taken off.</summary>
    private static (string? Text, string? Problem) ReadStdin()
    {
        if (TerminalInfo.IsTerminal(0) && !Console.IsInputRedirected)
        {
            return (null, "give the message as TEXT, or on stdin (echo hello | s2c-attach say)");
        }

        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[ControlProtocol.MaxChatBytes + 2];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = stdin.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        if (length == buffer.Length && stdin.Read(new byte[1], 0, 1) > 0)
        {
            return (null, $"a message is at most {ControlProtocol.MaxChatBytes} bytes of UTF-8");
        }

        var end = length;
        end -= end > 0 && buffer[end - 1] == '\n' ? 1 : 0;
        end -= end > 0 && buffer[end - 1] == '\r' ? 1 : 0;
        if (end > ControlProtocol.MaxChatBytes)
        {
            return (null, $"a message is at most {ControlProtocol.MaxChatBytes} bytes of UTF-8");
        }

        try
        {
            var text = Strict.GetString(buffer, 0, end);
            return text.Trim().Length == 0 ? (null, "the message on stdin is empty") : (text, null);
        }
        catch (DecoderFallbackException)
        {
            return (null, "the message on stdin is not UTF-8");
        }
    }
}
