namespace S2cd.Wire;

/// <summary>What a media frame carries; the relay queues each kind by its own rule.</summary>
internal enum MediaKind : byte
{
    Video = 1,
    Audio = 2,

    /// <summary>A chat message: sealed like media, carried on the TLS link only (never as datagrams), never dropped as stale.</summary>
    Text = 3,

    /// <summary>A shared terminal screen's update: sealed like media, on the TLS link only, never dropped as stale.</summary>
    Screen = 4,
}

/// <summary>The rules of the media kinds, in one place for the codec, the relay, the fabric and the datagram path.</summary>
internal static class MediaKinds
{
    /// <summary>The most messages one member sends in <see cref="TextWindow"/>; the relay and every daemon hold it to that.</summary>
    public const int TextMessages = 20;

    /// <summary>The most UTF-8 bytes of a chat message's text.</summary>
    public const int MaxTextBytes = 4096;

    /// <summary>
    /// The largest Text payload the relay passes on: the text, a version byte and the end-to-end seal (29 bytes today),
    /// with room to spare for a future seal. Anything larger is dropped.
    /// </summary>
    public const int MaxTextPayloadBytes = MaxTextBytes + 128;

    /// <summary>The largest Screen payload the relay passes on: the largest update, the version byte and the seal, with room to spare.</summary>
    public const int MaxScreenPayloadBytes = (40 * 1024) + 128;

    /// <summary>The window of <see cref="TextMessages"/>.</summary>
    public static readonly TimeSpan TextWindow = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The window the relay and the receivers hold a sender to: a second shorter than the sender's own, so that a
    /// message the sender let go at the edge of its window is not refused further on for the time it spent in flight.
    /// </summary>
    public static readonly TimeSpan TextWindowOnTheWay = TextWindow - TimeSpan.FromSeconds(1);

    /// <summary>A kind this protocol knows.</summary>
    public static bool IsKnown(MediaKind kind) => kind is MediaKind.Video or MediaKind.Audio or MediaKind.Text or MediaKind.Screen;

    /// <summary>Whether a kind may travel as datagrams: text and screens never do (a lost message or diff would be lost for good).</summary>
    public static bool TakesDatagrams(MediaKind kind) => kind is MediaKind.Video or MediaKind.Audio;
}
