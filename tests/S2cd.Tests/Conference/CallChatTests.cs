using System.Buffers;
using System.Text;
using S2cd.Conference;
using S2cd.Tests.Support;
using S2cd.Wire;

namespace S2cd.Tests.Conference;

/// <summary>The call's chat in the daemon: what it keeps, and the limits it holds every member to (on a manual clock).</summary>
public sealed class CallChatTests
{
    private readonly ManualTimeProvider _time = new();

    private CallChat NewChat() => new(id => id is 7 or 8 ? ($"member{id}", $"SHA256:{id}") : null, () => ("me", "SHA256:me"), _time);

    private static ReadOnlySequence<byte> Payload(string text) => new(CallChat.Encode(text));

    [Fact]
    public void AMessage_IsKeptWithItsSender_AsSent()
    {
        var chat = NewChat();
        const string text = "会議 🎉 e\u0301 \u001b[31mred\u001b]52;c;aGk=\u0007 https://example.org/?a=1&b=2";
        chat.Receive(7, Payload(text));
        var own = chat.Sent("mine");

        var kept = chat.After(0);
        Assert.Equal(2, kept.Length);
        Assert.Equal((text, "member7", "SHA256:7", false), (kept[0].Text, kept[0].From, kept[0].Fingerprint, kept[0].IsSelf));
        Assert.Equal(("mine", "me", true), (own.Text, own.From, own.IsSelf));
        Assert.True(kept[1].Id > kept[0].Id);
        Assert.Equal([own], chat.After(kept[0].Id));
    }

    [Fact]
    public void Malformed_TooLong_OrFromNoMember_IsDropped_AndCounted()
    {
        var chat = NewChat();
        chat.Receive(7, new ReadOnlySequence<byte>([1, 0xC3, 0x28]));                        // not UTF-8
        chat.Receive(7, new ReadOnlySequence<byte>([2, (byte)'h', (byte)'i']));              // an unknown version
        chat.Receive(7, new ReadOnlySequence<byte>([1]));                                    // no text
        chat.Receive(7, new ReadOnlySequence<byte>([1, .. Encoding.UTF8.GetBytes(new string('x', MediaKinds.MaxTextBytes + 1))]));
        chat.Receive(9, Payload("from someone who is not in the call"));
        Assert.Empty(chat.After(0));
        Assert.Equal(5, chat.Refused);

        chat.Receive(7, Payload(new string('x', MediaKinds.MaxTextBytes)));
        Assert.Single(chat.After(0));
    }

    [Fact]
    public void EachSender_IsHeldToTwentyInTheWindow_OthersAreNot()
    {
        var chat = NewChat();
        for (var i = 0; i < 25; i++)
        {
            chat.Receive(7, Payload($"flood {i}"));
        }

        chat.Receive(8, Payload("the other member still gets through"));
        var kept = chat.After(0);
        Assert.Equal(MediaKinds.TextMessages + 1, kept.Length);
        Assert.Equal("flood 19", kept[MediaKinds.TextMessages - 1].Text);
        Assert.Equal(5, chat.Refused);

        // The window slides: once the first messages are older than it, the sender has room again.
        _time.Advance(MediaKinds.TextWindowOnTheWay);
        chat.Receive(7, Payload("later"));
        Assert.Equal("later", chat.After(0)[^1].Text);
    }

    [Fact]
    public void OwnMessages_TwentyInTenSeconds_ThenHowLongToWait()
    {
        var chat = NewChat();
        for (var i = 0; i < MediaKinds.TextMessages; i++)
        {
            Assert.True(chat.TryTakeOwn(out _));
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.False(chat.TryTakeOwn(out var roomIn));
        Assert.Equal(TimeSpan.FromSeconds(8), roomIn);
        _time.Advance(roomIn);
        Assert.True(chat.TryTakeOwn(out _));
        Assert.False(chat.TryTakeOwn(out _));
    }

    [Fact]
    public void KeepsTheLast200_ANewCallStartsEmpty_AndIdsGoOnRising()
    {
        var chat = NewChat();
        for (var i = 0; i < 250; i++)
        {
            chat.Sent($"m{i}");
        }

        var kept = chat.After(0);
        Assert.Equal(CallChat.Kept, kept.Length);
        Assert.Equal(("m50", "m249"), (kept[0].Text, kept[^1].Text));

        chat.Clear();
        Assert.Empty(chat.After(0));
        Assert.Equal(251, chat.Sent("next call").Id);
    }

    [Fact]
    public void AnAnswer_IsCutAtAboutItsSize_TheRestComesNext()
    {
        var chat = NewChat();
        for (var i = 0; i < 20; i++)
        {
            chat.Sent(new string('x', 4000));
        }

        var answers = new List<int>();
        var after = 0L;
        while (chat.After(after) is { Length: > 0 } answer)
        {
            Assert.InRange(answer.Sum(m => m.Text.Length), 1, CallChat.MaxAnswerChars);
            answers.Add(answer.Length);
            after = answer[^1].Id;
        }

        Assert.Equal(20, answers.Sum());
        Assert.True(answers.Count > 1);
    }

    [Theory]
    [InlineData("", "needs some text")]
    [InlineData("   \n", "needs some text")]
    public void Check_RefusesWhatIsNotAMessage(string text, string problem) =>
        Assert.Contains(problem, CallChat.Check(text), StringComparison.Ordinal);

    [Fact]
    public void Check_RefusesALoneSurrogate() =>
        Assert.Contains("lone surrogate", CallChat.Check("ok " + (char)0xD800), StringComparison.Ordinal);

    [Fact]
    public void Check_CountsBytes_NotCharacters()
    {
        Assert.Null(CallChat.Check(new string('語', MediaKinds.MaxTextBytes / 3)));
        Assert.Contains("at most 4096 bytes", CallChat.Check(new string('語', (MediaKinds.MaxTextBytes / 3) + 1)), StringComparison.Ordinal);
    }
}
