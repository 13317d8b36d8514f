using S2cd.Contract;
using System.Buffers;
using System.Threading.Channels;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Tests.Conference;

/// <summary>
/// A second implementation of the transport seam, for the conference core's unit tests: daemons' cores in one
/// process, joined through a relay that is a dictionary. Each link delivers its events in order on a task of its
/// own, as a real link does. It records every sealed media frame it forwards, so tests can read key ids.
/// </summary>
internal sealed class InMemoryRelay : IConferenceTransport
{
    private readonly Lock _lock = new();
    private readonly List<Link> _links = [];
    private uint _nextId;

    /// <summary>Every media frame forwarded: sender, kind, the sealed payload.</summary>
    public List<(uint Sender, MediaKind Kind, byte[] Payload)> Forwarded { get; } = [];

    public ITransportLink Open(TransportJoin join, ITransportEvents events)
    {
        var link = new Link(this, join.Session, events);
        link.Start();
        return link;
    }

    private void Join(Link link)
    {
        var (flags, name) = link.Events.Presence();
        WireMember[] present;
        lock (_lock)
        {
            link.Member = new WireMember(++_nextId, flags, name);
            present = [.. _links.Where(l => l.Session == link.Session).Select(l => l.Member), link.Member];
            // As the real relay: the newcomer's welcome is queued before any presence about others can reach it.
            link.Post(e => e.OnSecured(LinkSecurity.Plain));
            link.Post(e => e.OnWelcome(link.Member.Id, present));
            link.Welcome();
            foreach (var other in Others(link))
            {
                other.Post(e => e.OnPresence(PresenceEvent.Joined, link.Member));
            }

            _links.Add(link);
        }
    }

    private void Leave(Link link)
    {
        lock (_lock)
        {
            if (!_links.Remove(link))
            {
                return;
            }

            foreach (var other in Others(link))
            {
                other.Post(e => e.OnPresence(PresenceEvent.Left, link.Member));
            }
        }
    }

    private void Presence(Link link, MemberFlags flags, string name)
    {
        lock (_lock)
        {
            link.Member = link.Member with { Flags = flags, Name = name };
            foreach (var other in Others(link))
            {
                other.Post(e => e.OnPresence(PresenceEvent.Changed, link.Member));
            }
        }
    }

    private void Signal(Link from, uint target, byte[] payload)
    {
        lock (_lock)
        {
            foreach (var other in Others(from).Where(o => target == 0 || o.Member.Id == target))
            {
                other.Post(e => e.OnSignal(from.Member.Id, new ReadOnlySequence<byte>(payload)));
            }
        }
    }

    private void Media(Link from, MediaKind kind, byte[] payload)
    {
        lock (_lock)
        {
            Forwarded.Add((from.Member.Id, kind, payload));
            foreach (var other in Others(from))
            {
                other.Post(e => e.OnMedia(from.Member.Id, kind, new ReadOnlySequence<byte>(payload)));
            }
        }
    }

    private List<Link> Others(Link link) => [.. _links.Where(l => l != link && l.Session == link.Session)];

    /// <summary>One core's link: its events go through a queue, one at a time.</summary>
    private sealed class Link(InMemoryRelay relay, string session, ITransportEvents events) : ITransportLink
    {
        private readonly Channel<Action<ITransportEvents>> _queue = Channel.CreateUnbounded<Action<ITransportEvents>>(new UnboundedChannelOptions { SingleReader = true });
        private readonly TaskCompletionSource _welcomed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _pump = Task.CompletedTask;
        private volatile bool _joined;

        public string Session { get; } = session;

        public ITransportEvents Events { get; } = events;

        public WireMember Member { get; set; }

        public Task Welcomed => _welcomed.Task;

        public TimeSpan? RoundTrip => _joined ? TimeSpan.Zero : null;

        public string Relay => "in-memory";

        public MediaPathStatus MediaPath { get; } = new(MediaPathKind.Tls, "an in-memory test relay");

        public long DatagramsRejected => 0;

        public void Start()
        {
            _pump = Task.Run(async () =>
            {
                await foreach (var action in _queue.Reader.ReadAllAsync())
                {
                    action(Events);
                }
            });

            // Events start after Open returns, as the interface promises.
            _ = Task.Run(() => relay.Join(this));
        }

        public void Post(Action<ITransportEvents> action) => _queue.Writer.TryWrite(action);

        public void Welcome()
        {
            _joined = true;
            Post(_ => _welcomed.TrySetResult());
        }

        public void SendPresence(MemberFlags flags, string name)
        {
            if (_joined)
            {
                relay.Presence(this, flags, name);
            }
        }

        public void SendSignal(uint target, byte[] payload)
        {
            if (_joined)
            {
                relay.Signal(this, target, payload);
            }
        }

        public void SendMedia(MediaKind kind, ReadOnlySpan<byte> payload, IMediaSealer? sealer)
        {
            if (!_joined)
            {
                return;
            }

            var frame = new byte[sealer?.SealedLength(payload.Length) ?? payload.Length];
            if (sealer is null)
            {
                payload.CopyTo(frame);
            }
            else
            {
                sealer.Seal(kind, payload, frame);
            }

            relay.Media(this, kind, frame);
        }

        public Task LeaveAsync() => DisposeAsync().AsTask();

        public async ValueTask DisposeAsync()
        {
            _joined = false;
            relay.Leave(this);
            _queue.Writer.TryComplete();
            await _pump.ConfigureAwait(false);
            _welcomed.TrySetCanceled();
        }
    }
}
