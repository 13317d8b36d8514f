using System.Buffers;
using System.Text;
using S2cd.Contract;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// The chat of the call this daemon is in: the last <see cref="Kept"/> messages, in memory only (a new call starts
/// empty; nothing is written to disk or kept by the relay), and the limits that hold every member, this daemon
/// included, to <see cref="MediaKinds.TextMessages"/> messages in a window. A message is a version byte and the
/// text's UTF-8, sealed end to end as a media payload of kind <see cref="MediaKind.Text"/>.
/// </summary>
internal sealed class CallChat
{
    /// <summary>How many messages of a call are kept.</summary>
    public const int Kept = 200;

    /// <summary>The most text one <c>chat</c> answer carries (the client asks again for the rest).</summary>
    public const int MaxAnswerChars = 32 * 1024;

    private const byte Version = 1;
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Func<uint, (string Name, string? Fingerprint)?> _sender;
    private readonly Func<(string Name, string? Fingerprint)> _self;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Queue<ChatMessage> _messages = new();
    private readonly Dictionary<uint, MessageWindow> _windows = [];
    private MessageWindow _own;
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastId;
    private long _changes;
    private long _refused;

    /// <param name="sender">A member's name and fingerprint now, or null when it is not (or no longer) in the call.</param>
    /// <param name="self">This daemon's name and fingerprint now.</param>
    /// <param name="time">The clock of the messages' times and of the windows.</param>
    public CallChat(Func<uint, (string Name, string? Fingerprint)?> sender, Func<(string Name, string? Fingerprint)> self, TimeProvider time)
    {
        _sender = sender;
        _self = self;
        _time = time;
        _own = NewWindow(MediaKinds.TextWindow);
    }

    /// <summary>Raised (outside the lock) after a message was added.</summary>
    public event Action<ChatMessage>? Added;

    /// <summary>Messages from others that were dropped: malformed, too long, or past their sender's limit.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The id of the newest message (0 before the first).</summary>
    public long LastId
    {
        get
        {
            lock (_lock)
            {
                return _lastId;
            }
        }
    }

    /// <summary>Counts every change of the kept messages (one added, all cleared): what a view compares to redraw its strip.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>What is wrong with <paramref name="text"/> as a message, in one line, or null.</summary>
    public static string? Check(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "a message needs some text";
        }

        int bytes;
        try
        {
            bytes = Strict.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return "a message must be valid Unicode (it has a lone surrogate)";
        }

        return bytes > MediaKinds.MaxTextBytes ? $"a message is at most {MediaKinds.MaxTextBytes} bytes of UTF-8; this one is {bytes}" : null;
    }

    /// <summary>The payload that carries <paramref name="text"/> (checked with <see cref="Check"/>) before it is sealed.</summary>
    public static byte[] Encode(string text)
    {
        var payload = new byte[1 + Strict.GetByteCount(text)];
        payload[0] = Version;
        Strict.GetBytes(text, payload.AsSpan(1));
        return payload;
    }

    /// <summary>
    /// Takes one of this daemon's own messages from its window; false, with how long until there is room, when it has
    /// sent <see cref="MediaKinds.TextMessages"/> within the window.
    /// </summary>
    public bool TryTakeOwn(out TimeSpan roomIn)
    {
        lock (_lock)
        {
            roomIn = _own.RoomIn();
            return _own.TryTake();
        }
    }

    /// <summary>Keeps a message this daemon has just sent.</summary>
    public ChatMessage Sent(string text)
    {
        var (name, fingerprint) = _self();
        return Add(id => new ChatMessage { Id = id, From = name, Fingerprint = fingerprint, IsSelf = true, Time = _time.GetUtcNow(), Text = text });
    }

    /// <summary>
    /// An opened Text payload from member <paramref name="sender"/>: kept when it is well formed and within the
    /// sender's limit, else dropped and counted. Valid only during the call.
    /// </summary>
    public void Receive(uint sender, ReadOnlySequence<byte> payload)
    {
        string text;
        try
        {
            if (payload.Length < 2 || payload.Length > 1 + MediaKinds.MaxTextBytes || payload.FirstSpan[0] != Version)
            {
                throw new DecoderFallbackException("not a message of version 1");
            }

            text = Strict.GetString(payload.Slice(1).ToArray());
        }
        catch (DecoderFallbackException)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        if (_sender(sender) is not { } who || !TakeFrom(sender))
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        Add(id => new ChatMessage { Id = id, From = who.Name, Fingerprint = who.Fingerprint, Time = _time.GetUtcNow(), Text = text });
    }

    /// <summary>A member left: its window goes (a member that comes back gets a new id, and a new window).</summary>
    public void Forget(uint member)
    {
        lock (_lock)
        {
            _windows.Remove(member);
        }
    }

    /// <summary>A new call (or none): the messages and windows of the last one go; ids keep counting up.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _messages.Clear();
            _windows.Clear();
            Interlocked.Increment(ref _changes);
            _own = NewWindow(MediaKinds.TextWindow);
        }
    }

    /// <summary>The kept messages after <paramref name="afterId"/>, oldest first, up to about <see cref="MaxAnswerChars"/> of text.</summary>
    public ChatMessage[] After(long afterId)
    {
        lock (_lock)
        {
            var list = new List<ChatMessage>();
            var chars = 0;
            foreach (var message in _messages)
            {
                if (message.Id <= afterId)
                {
                    continue;
                }

                if (list.Count > 0 && chars + message.Text.Length > MaxAnswerChars)
                {
                    break;
                }

                list.Add(message);
                chars += message.Text.Length;
            }

            return [.. list];
        }
    }

    /// <summary>The newest <paramref name="count"/> messages, oldest first.</summary>
    public ChatMessage[] Newest(int count)
    {
        lock (_lock)
        {
            return [.. _messages.Skip(Math.Max(0, _messages.Count - count))];
        }
    }

    /// <summary>The messages after <paramref name="afterId"/>; when there are none, waits up to <paramref name="timeout"/> for the next.</summary>
    public async Task<ChatMessage[]> NextAsync(long afterId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task added;
        lock (_lock)
        {
            added = _added.Task;
        }

        var now = After(afterId);
        if (now.Length > 0 || timeout <= TimeSpan.Zero)
        {
            return now;
        }

        await Task.WhenAny(added, Task.Delay(timeout, _time, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return After(afterId);
    }

    private bool TakeFrom(uint sender)
    {
        lock (_lock)
        {
            if (!_windows.TryGetValue(sender, out var window))
            {
                window = NewWindow(MediaKinds.TextWindowOnTheWay);
                _windows[sender] = window;
            }

            return window.TryTake();
        }
    }

    private ChatMessage Add(Func<long, ChatMessage> make)
    {
        ChatMessage message;
        TaskCompletionSource added;
        lock (_lock)
        {
            message = make(++_lastId);
            _messages.Enqueue(message);
            Interlocked.Increment(ref _changes);
            while (_messages.Count > Kept)
            {
                _messages.Dequeue();
            }

            added = _added;
            _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        added.TrySetResult();
        Added?.Invoke(message);
        return message;
    }

    private MessageWindow NewWindow(TimeSpan window) => new(MediaKinds.TextMessages, window, _time);
}
