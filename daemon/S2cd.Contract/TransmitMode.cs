namespace S2cd.Contract;

/// <summary>When the microphone's frames are sent (<c>Audio:Transmit</c>).</summary>
public enum TransmitMode
{
    /// <summary>While voice activity hears speech, and a moment after; nothing in pauses (discontinuous transmission).</summary>
    Voice,

    /// <summary>Every frame, whatever it holds.</summary>
    Continuous,
}
