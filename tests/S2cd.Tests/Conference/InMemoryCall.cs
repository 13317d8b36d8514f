using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using S2cd.Audio;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Relay;
using S2cd.Tests.Support;
using S2cd.Video;

namespace S2cd.Tests.Conference;

/// <summary>Conference cores of several daemons in this process, joined to one session through an <see cref="InMemoryRelay"/>.</summary>
internal sealed class InMemoryCall(TimeProvider time) : IDisposable
{
    private readonly TempDirectory _root = new();

    public InMemoryRelay Relay { get; } = new();

    public void Dispose() => _root.Dispose();

    /// <summary>A core named <paramref name="name"/> (its own state directory and identity), joined to session "core".</summary>
    public async Task<Core> JoinAsync(string name, Func<IVideoSink, IVideoSink>? wrapVideo = null)
    {
        var core = Start(name, wrapVideo: wrapVideo);
        await core.Link.JoinAsync(new JoinRequest { Session = "core", Relay = "memory:1" }, CancellationToken.None);
        return core;
    }

    /// <summary>
    /// A core named <paramref name="name"/> that has joined nothing yet: a daemon just started, on the state directory
    /// an earlier core of that name used.
    /// </summary>
    public Core Start(string name, TimeSpan? rejoinWindow = null, Func<IVideoSink, IVideoSink>? wrapVideo = null)
    {
        var daemon = Options.Create(new DaemonOptions { StateDirectory = _root.Sub(name) });
        var conference = Options.Create(new ConferenceOptions { Name = name, RejoinWindow = rejoinWindow ?? TimeSpan.FromMinutes(2) });
        var pictures = new PictureStore(time);
        var audio = new AudioMixer(Options.Create(new AudioOptions()), time);
        var health = new LoopHealth(time);
        IVideoSink sink = new VideoSink(pictures, new VideoReceiver(pictures));
        var video = wrapVideo?.Invoke(sink) ?? sink;
        var trust = new EndToEndTrust(conference, daemon, time, NullLogger<EndToEndTrust>.Instance);
        var media = new MediaRouter(video, audio);
        var link = new ConferenceLink(
            conference,
            daemon,
            Relay,
            new EventHub(),
            trust,
            new StatusComposer(daemon, new LocalDevices(time), trust, video, audio, health, NoRelay.Instance),
            media,
            time,
            NullLogger<ConferenceLink>.Instance);
        return new Core(name, link, pictures, audio, media, health, daemon.Value.ResolvedStateDirectory);
    }

    /// <summary>No relay runs beside these cores.</summary>
    private sealed class NoRelay : IRelayFigures
    {
        public static NoRelay Instance { get; } = new();

        public RelayFigures? Figures() => null;
    }

    /// <summary>One daemon's core and the parts beside it that tests look into.</summary>
    internal sealed record Core(string Name, ConferenceLink Link, PictureStore Pictures, AudioMixer Audio, MediaRouter Media, LoopHealth Health, string StateDirectory) : IAsyncDisposable
    {
        public ParticipantInfo Sees(string name) => Link.GetParticipants().Single(p => p.Name == name);

        public async ValueTask DisposeAsync()
        {
            await Link.DisposeAsync();
            Audio.Dispose();
        }
    }
}
