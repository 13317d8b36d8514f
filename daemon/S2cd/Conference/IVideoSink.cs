using System.Buffers;

namespace S2cd.Conference;

/// <summary>Where the core puts the others' pictures (decoded, kept as each member's latest), and what it asks of it.</summary>
internal interface IVideoSink
{
    /// <summary>Why others' pictures cannot be shown, in one line, or null.</summary>
    string? Problem { get; }

    /// <summary>Video payloads dropped as malformed or undecodable.</summary>
    long Rejected { get; }

    /// <summary>Our own pictures per second (the camera's, as shown to us).</summary>
    double SelfFps { get; }

    /// <summary>Pictures lost from all members now in the session.</summary>
    long TotalLost { get; }

    /// <summary>An opened video payload from <paramref name="sender"/>; valid only during the call.</summary>
    void OnVideo(uint sender, ReadOnlySequence<byte> payload);

    /// <summary>A member's pictures per second, the delay of its last picture (null before one), and pictures lost.</summary>
    (double Fps, double? DelayMs, long Lost) Figures(uint member);

    /// <summary>Forgets <paramref name="member"/>'s picture.</summary>
    void Remove(uint member);

    /// <summary>Forgets every member's picture.</summary>
    void Clear();

    /// <summary>Something the views show changed (a mark, a name): they redraw.</summary>
    void Touch();
}
