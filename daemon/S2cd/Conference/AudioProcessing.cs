using S2cd.Contract;

namespace S2cd.Conference;

/// <summary>What processes the microphone, for <c>status</c>: a line for people, the switches that took effect, and a problem or null.</summary>
internal sealed record AudioProcessing(string Description, bool EchoCancel, bool NoiseSuppress, bool AutoGain, TransmitMode Transmit, string? Problem = null)
{
    public static AudioProcessing None { get; } = new("none", false, false, false, TransmitMode.Voice);
}
