using System.Buffers;

namespace S2cd.Conference;

/// <summary>Where the core puts the others' audio (the jitter buffers and the mixer), and what it asks of it for status.</summary>
internal interface IAudioSink
{
    /// <summary>Why others' audio cannot be played, in one line, or null.</summary>
    string? Problem { get; }

    /// <summary>An opened audio payload from <paramref name="sender"/>; valid only during the call.</summary>
    void OnAudio(uint sender, ReadOnlySequence<byte> payload);

    /// <summary>Drops what is buffered from <paramref name="sender"/> (it left, or muted).</summary>
    void Remove(uint sender);

    /// <summary>Drops everyone's audio.</summary>
    void Clear();

    /// <summary>
    /// The level of <paramref name="sender"/>'s recent audio in dB below full scale and whether its sender heard speech in it,
    /// or null when nothing is recent.
    /// </summary>
    (byte Level, bool Voice)? Recent(uint sender);

    /// <summary>Where the mixer asks each sender's playback volume, in percent (0 to 200).</summary>
    void UseVolumes(Func<uint, int> volume);

    /// <summary>The receiving side's figures for <c>status</c>.</summary>
    AudioFigures Figures();
}
