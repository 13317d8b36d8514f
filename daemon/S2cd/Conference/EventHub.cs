using System.Threading.Channels;
using S2cd.Contract;

namespace S2cd.Conference;

/// <summary>
/// Fans control events out to subscribed clients. Each subscriber has its own bounded channel, so a
/// client that does not read loses its subscription and never holds up the daemon or other clients.
/// </summary>
internal sealed class EventHub
{
    public const int SubscriberCapacity = 256;
    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];

    public Subscriber Subscribe(Action onOverflow)
    {
        var subscriber = new Subscriber(this, onOverflow);
        lock (_lock)
        {
            _subscribers.Add(subscriber);
        }

        return subscriber;
    }

    public void Publish(ControlEvent controlEvent)
    {
        Subscriber[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            if (!subscriber.Channel.Writer.TryWrite(controlEvent))
            {
                subscriber.Dispose();
                subscriber.OnOverflow();
            }
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }
    }

    internal sealed class Subscriber(EventHub hub, Action onOverflow) : IDisposable
    {
        public Channel<ControlEvent> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<ControlEvent>(
            new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public Action OnOverflow { get; } = onOverflow;

        public void Dispose()
        {
            hub.Remove(this);
            Channel.Writer.TryComplete();
        }
    }
}
