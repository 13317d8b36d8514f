using S2cd.Contract;
using S2cd.Wire;

namespace S2cd.Transport;

/// <summary>One stay in a session through a transport: join, reconnects, sends, leave.</summary>
internal interface ITransportLink : IAsyncDisposable
{
    /// <summary>Completes at the first welcome; faults with <see cref="LinkFailedException"/> when the first join fails.</summary>
    Task Welcomed { get; }

    /// <summary>The relay this link uses now (of the list it was given, the one that let it in or is being tried).</summary>
    string Relay { get; }

    /// <summary>The last measured round trip to the relay, or null.</summary>
    TimeSpan? RoundTrip { get; }

    /// <summary>Which way media goes now, and why not the datagram path when it is not used.</summary>
    MediaPathStatus MediaPath { get; }

    /// <summary>Datagrams that came to us and did not authenticate, were replayed or malformed (dropped).</summary>
    long DatagramsRejected { get; }

    /// <summary>Tells the others our new flags and name (mute, camera). Dropped while not connected.</summary>
    void SendPresence(MemberFlags flags, string name);

    /// <summary>An end-to-end signal to member <paramref name="target"/> (0: everyone else). Dropped while not connected.</summary>
    void SendSignal(uint target, byte[] payload);

    /// <summary>
    /// Sends a media payload to the others, through <paramref name="sealer"/> (end to end) unless it is null.
    /// Dropped while not connected, and as the link's queue policy says under load.
    /// </summary>
    void SendMedia(MediaKind kind, ReadOnlySpan<byte> payload, IMediaSealer? sealer);

    /// <summary>Tells the relay we leave (so the others see it at once), waits briefly for it, and stops the link.</summary>
    Task LeaveAsync();
}
