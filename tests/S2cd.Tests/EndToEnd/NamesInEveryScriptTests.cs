using S2cd.Contract;
using S2cd.Tests.Support;

namespace S2cd.Tests.EndToEnd;

/// <summary>
/// Display names in Chinese, Hangul, Latin with a combining accent, and with an emoji, as a person sees them:
/// the call view in tmux at three widths and the `who` table.
/// </summary>
public sealed class NamesInEveryScriptTests
{
    private static readonly string[] Names = ["李雷和韩梅梅", "김민준", "Zoe\u0308 Mu\u0308ller", "Ana \U0001F389"];

    [Fact(Timeout = 180_000)]
    public async Task TheView_ShowsEachNameAsTyped_WithBordersAndStatusLineInPlace_AtThreeWidths()
    {
        Assert.True(Tmux.Available, "tmux is needed (packaging/packages.sh ensure test)");
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var daemons = new List<DaemonProcess>();
        try
        {
            await JoinAllAsync(root, port, daemons, cameras: false);

            foreach (var (columns, rows) in new[] { (160, 40), (100, 30), (72, 24) })
            {
                using var tmux = new Tmux();
                tmux.Start(columns, rows, $"{DaemonProcess.AttachCommand} --socket {daemons[0].SocketPath} --mode ascii");
                // The frame is whole once its last row, the status line, is drawn: a capture may fall between rows.
                var screen = await tmux.WaitForAsync(
                    s => Names.All(n => s.Contains(n, StringComparison.Ordinal)) && StatusLineInPlace(s.Split('\n'), rows, columns),
                    TimeSpan.FromSeconds(30),
                    $"every name as typed at {columns} columns, the status line on the last row");
                var lines = screen.Split('\n');
                foreach (var line in lines)
                {
                    Assert.True(TextCells.Width(line) <= columns, $"a row wider than the terminal at {columns} columns: {line}");
                }

                // Every box's sides stand in the columns of its corners (the status line, which uses '│' between
                // its parts, aside): nothing written before them on their rows pushed them.
                var tiles = lines[..(rows - 1)];
                var corners = Columns(tiles, '\u250c').Concat(Columns(tiles, '\u2510')).ToHashSet();
                Assert.NotEmpty(corners);
                Assert.All(Columns(tiles, '\u2502'), column => Assert.Contains(column, corners));
            }
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Who_LinesUpItsColumnsByDisplayWidth()
    {
        using var root = new TempDirectory();
        var (relay, port) = await DaemonProcess.StartRelayAsync(root, "relay");
        await using var _ = relay;
        var daemons = new List<DaemonProcess>();
        try
        {
            await JoinAllAsync(root, port, daemons, cameras: true);

            string who = string.Empty;
            await Eventually.TrueAsync(
                async () =>
                {
                    who = (await AttachRunner.RunAsync(daemons[0].SocketPath, "who")).Stdout;
                    return Names.All(n => who.Contains(n, StringComparison.Ordinal));
                },
                TimeSpan.FromSeconds(20),
                "who lists every name as typed");

            // The MIC column starts at the same display column on the header and on every member's line.
            var rows = who.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("Call code", StringComparison.Ordinal)).ToList();
            var header = rows[0];
            var mic = TextCells.Width(header[..header.IndexOf("MIC", StringComparison.Ordinal)]);
            foreach (var row in rows.Skip(1))
            {
                var name = Names.Single(n => row.Contains(n, StringComparison.Ordinal));
                var after = row.IndexOf(name, StringComparison.Ordinal) + name.Length;
                var state = row.IndexOfAny(['m', 'o'], after);
                Assert.True(mic == TextCells.Width(row[..state]), $"MIC column at {TextCells.Width(row[..state])}, header at {mic}:\n{who}");
            }
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
        }
    }

    /// <summary>The status line on the last row, starting with the session, and at a wide terminal ending with the keys.</summary>
    private static bool StatusLineInPlace(string[] lines, int rows, int columns) =>
        lines.Length >= rows && lines[rows - 1].StartsWith(" scripts", StringComparison.Ordinal)
        && (columns < 140 || lines[rows - 1].Contains("m mute", StringComparison.Ordinal));

    /// <summary>A daemon for each name, joined to session "scripts" (into <paramref name="daemons"/>, for the caller to stop).</summary>
    private static async Task JoinAllAsync(TempDirectory root, int port, List<DaemonProcess> daemons, bool cameras)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            var daemon = await DaemonProcess.StartParticipantAsync(root, $"m{i}", $"127.0.0.1:{port}", "--Audio:Enabled", "false", "--Video:Fps", "5");
            daemons.Add(daemon);
            await using var client = await TestControlClient.ConnectAsync(daemon.SocketPath);
            await client.Rpc.InvokeAsync<StatusResult>(ControlProtocol.Methods.SetCamera, cameras);
            await client.JoinAsync("scripts", name: Names[i]);
        }
    }

    /// <summary>The display columns at which <paramref name="mark"/> appears, on any row.</summary>
    private static IEnumerable<int> Columns(string[] lines, char mark)
    {
        foreach (var line in lines)
        {
            for (var i = line.IndexOf(mark, StringComparison.Ordinal); i >= 0; i = line.IndexOf(mark, i + 1))
            {
                yield return TextCells.Width(line[..i]);
            }
        }
    }
}
