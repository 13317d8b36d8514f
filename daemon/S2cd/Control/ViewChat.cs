using S2cd.Conference;
using S2cd.Contract;
using S2cd.Render;

namespace S2cd.Control;

/// <summary>
/// One view's chat: whether its strip is shown, the input line with its draft and notice, the messages it has shown
/// (what is newer counts as unread while the strip is hidden), and the strip as laid out last (a long message is
/// wrapped once, not on every frame). Its owner locks.
/// </summary>
internal sealed class ViewChat(CallChat chat)
{
    private bool _shown = true;
    private string? _draft;
    private string? _notice;
    private long _seen = chat.LastId;
    private (long Changes, int Cols, int Rows, bool Shown, string? Draft, string? Notice) _laidOutFrom;
    private List<ChatStrip.Run[]> _strip = [];

    /// <summary>Checks what <paramref name="settings"/> asks of the chat; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public static void Check(ViewSettings settings)
    {
        if (settings.Draft is { } draft && System.Text.Encoding.UTF8.GetByteCount(draft) > ControlProtocol.MaxChatBytes)
        {
            throw new ArgumentException($"draft is at most {ControlProtocol.MaxChatBytes} bytes of UTF-8, as a message is");
        }

        if (settings.Notice is { Length: > 300 })
        {
            throw new ArgumentException("notice is at most 300 characters");
        }
    }

    /// <summary>Applies the chat's fields of <paramref name="settings"/> (checked; null fields stay; a draft opens the line) and returns them as they are now.</summary>
    public ViewSettings Apply(ViewSettings settings)
    {
        _shown = settings.Chat ?? _shown;
        _draft = settings.Typing == false ? null : settings.Draft ?? (settings.Typing == true ? _draft ?? string.Empty : _draft);
        _notice = _draft is null ? null : settings.Notice is { } notice ? (notice.Length == 0 ? null : notice) : _notice;
        return new ViewSettings { Chat = _shown, Typing = _draft is not null, Draft = _draft, Notice = _notice };
    }

    /// <summary>Messages from others that came since the strip last showed them (none while it is shown).</summary>
    public int Unread() => _shown ? 0 : chat.After(_seen).Count(m => !m.IsSelf);

    /// <summary>The strip's rows at the view's size: the newest messages while it is shown (they count as read), and the input line.</summary>
    public List<ChatStrip.Run[]> Strip(int cols, int rows)
    {
        var last = chat.LastId;
        var from = (chat.Changes, cols, rows, _shown, _draft, _notice);
        if (from == _laidOutFrom)
        {
            return _strip;
        }

        var maxRows = _shown ? ChatStrip.MaxRows(rows) : 0;
        if (_shown)
        {
            _seen = last;
        }

        _laidOutFrom = from;
        _strip = ChatStrip.Lay(_shown ? chat.Newest(maxRows) : [], cols, maxRows, _draft, _notice, TimeZoneInfo.Local);
        return _strip;
    }
}
