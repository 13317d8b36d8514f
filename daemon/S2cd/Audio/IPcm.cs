namespace S2cd.Audio;

/// <summary>An open capture or playback device, as the audio loops use it. <see cref="AlsaPcm"/> is the real one.</summary>
internal interface IPcm : IDisposable
{
    int PeriodFrames { get; }

    int BufferFrames { get; }

    /// <summary>Overruns or underruns recovered from so far.</summary>
    long Xruns { get; }

    /// <summary>Frames between the application and the converter (playback: queued; capture: waiting to be read); 0 when unknown.</summary>
    int Delay();

    /// <summary>Reads up to <paramref name="samples"/>' length; blocks like a sound card.</summary>
    int Read(Span<short> samples);

    /// <summary>Writes all of <paramref name="samples"/>; blocks like a sound card.</summary>
    void Write(ReadOnlySpan<short> samples);
}
