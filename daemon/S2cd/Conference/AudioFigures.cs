namespace S2cd.Conference;

/// <summary>What the receiving side of audio has seen, for <c>status</c>.</summary>
internal sealed record AudioFigures(
    long Received,
    long Lost,
    long Recovered,
    long Concealed,
    long Underruns,
    long Rejected,
    long Late,
    int JitterBufferMs,
    double? DelayP50Ms,
    double? DelayP95Ms);
