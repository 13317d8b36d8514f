using System.Text;
using S2cd.Contract;

namespace S2cAttach;

/// <summary>Asks for the session passphrase without echoing it; from a pipe, reads one line.</summary>
internal static class PassphrasePrompt
{
    public static string? Read()
    {
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine();
        }

        Console.Error.Write("Session passphrase: ");
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar) && text.Length < NameRules.MaxPassphraseLength + 1)
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
