namespace S2cd.Audio;

/// <summary>Opens a PCM device: <see cref="AlsaPcm.Open"/>, or (in a test that says so) a stand-in for a sound card.</summary>
internal delegate IPcm PcmOpener(string device, bool capture, uint rate, int channels, int periodFrames, int periods);
