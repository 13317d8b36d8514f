using System.Globalization;
using System.Text;
using S2cd.Contract;

namespace S2cAttach.View;

/// <summary>
/// The view's chat input line, as keys edit it: printable characters go in (up to a message's size), Backspace takes
/// the last character (a whole cluster: an emoji with its joiners, a letter with its marks), Ctrl-U clears it, Enter
/// sends it and Esc drops it. The daemon draws the line (<see cref="ViewSettings.Draft"/>); this only keeps the text.
/// </summary>
internal sealed class ChatInput
{
    private readonly StringBuilder _text = new();

    /// <summary>What a key did to the line.</summary>
    public enum Outcome
    {
        /// <summary>Nothing to tell the daemon (half of a surrogate pair, a key that does nothing here).</summary>
        Unchanged,

        /// <summary>The draft changed: show it.</summary>
        Edited,

        /// <summary>Enter: send <see cref="Text"/> and close the line.</summary>
        Send,

        /// <summary>Esc: close the line, sending nothing.</summary>
        Cancel,
    }

    /// <summary>Whether the line is open (the view's t opened it; Enter, Esc or a sent message close it).</summary>
    public bool IsOpen { get; set; }

    /// <summary>Why the last message was not sent (the daemon's reason), shown before the draft; null when nothing is to say.</summary>
    public string? Notice { get; set; }

    /// <summary>The draft so far.</summary>
    public string Text => _text.ToString();

    /// <summary>The draft as it may be shown now: without a high surrogate still waiting for its pair.</summary>
    public string Shown => _text.Length > 0 && char.IsHighSurrogate(_text[^1]) ? _text.ToString(0, _text.Length - 1) : _text.ToString();

    /// <summary>Closes the line: the draft and the notice go.</summary>
    public void Close()
    {
        IsOpen = false;
        Notice = null;
        _text.Clear();
    }

    public Outcome Apply(ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                return Outcome.Send;
            case ConsoleKey.Escape:
                return Outcome.Cancel;
            case ConsoleKey.Backspace:
                return RemoveLast() ? Outcome.Edited : Outcome.Unchanged;
        }

        var c = key.KeyChar;
        if (c is '\r' or '\n')
        {
            return Outcome.Send;
        }

        if (c is '\u0008' or '\u007f')
        {
            return RemoveLast() ? Outcome.Edited : Outcome.Unchanged;
        }

        if (c == '\u0015')
        {
            _text.Clear();
            return Outcome.Edited;
        }

        if (char.IsControl(c) || c == '\0' || Encoding.UTF8.GetByteCount(Shown) + 4 > ControlProtocol.MaxChatBytes)
        {
            return Outcome.Unchanged;
        }

        _text.Append(c);
        return char.IsHighSurrogate(c) ? Outcome.Unchanged : Outcome.Edited;
    }

    private bool RemoveLast()
    {
        if (_text.Length == 0)
        {
            return false;
        }

        var text = _text.ToString();
        var starts = StringInfo.ParseCombiningCharacters(text);
        _text.Length = starts[^1];
        return true;
    }
}
