using S2cd.Conference;
using S2cd.Contract;

namespace S2cd.Tests.Conference;

/// <summary>
/// The hub that fans events out to subscribed clients (views, `chat --follow`, scripts): a subscriber may fall up to
/// <see cref="EventHub.SubscriberCapacity"/> events behind; one more drops it, and only it.
/// </summary>
public sealed class EventHubTests
{
    [Fact]
    public async Task ASubscriber256EventsBehind_IsKept_TheNextEventDropsIt_AndTheOthersGetEverything()
    {
        var hub = new EventHub();
        var dropped = 0;
        var keeper = 0;
        using var lazy = hub.Subscribe(() => dropped++);
        using var reader = hub.Subscribe(() => keeper++);
        var read = 0;
        for (var i = 0; i < EventHub.SubscriberCapacity; i++)
        {
            hub.Publish(Event(i));
            read += Drain(reader);
        }

        Assert.Equal(0, dropped);
        Assert.Equal(EventHub.SubscriberCapacity, lazy.Channel.Reader.Count);

        hub.Publish(Event(EventHub.SubscriberCapacity));
        read += Drain(reader);
        Assert.Equal(1, dropped);
        Assert.Equal(0, keeper);
        Assert.Equal(EventHub.SubscriberCapacity + 1, read);

        // Dropped means gone: its channel ends after what it held, later events reach only the others.
        hub.Publish(Event(EventHub.SubscriberCapacity + 1));
        Assert.Equal(1, Drain(reader));
        Assert.Equal(1, dropped);
        var held = 0;
        await foreach (var _ in lazy.Channel.Reader.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            held++;
        }

        Assert.Equal(EventHub.SubscriberCapacity, held);
    }

    private static ControlEvent Event(int i) => new()
    {
        Kind = ControlEventKind.ParticipantChanged,
        Status = new StatusResult
        {
            Role = DaemonRole.Participant,
            DaemonVersion = "test",
            Name = $"event {i}",
            Connection = ConnectionState.Connected,
            Muted = false,
            CameraOn = true,
            Participants = 2,
        },
    };

    private static int Drain(EventHub.Subscriber subscriber)
    {
        var count = 0;
        while (subscriber.Channel.Reader.TryRead(out _))
        {
            count++;
        }

        return count;
    }
}
