namespace S2cd.Audio;

/// <summary>
/// How long the Opus frames sent are, as Mumble chooses: 10 ms where the link allows, for the shortest mouth-to-ear
/// delay, and 20 ms over a poor link, where half the packets (and half their headers) and Opus's in-band FEC over a
/// longer frame hold up better. The link is poor while media has fallen back to the TLS link (UDP does not get
/// through; not while UDP is still being tried at the start of a call), or while what
/// arrives from the call loses <see cref="PoorLossPercent"/> or more (the same path carries ours the other way); it is
/// good again after <see cref="GoodFor"/> without either. A receiver learns each packet's length from the packet.
/// </summary>
internal sealed class FrameLength(bool shortFrames)
{
    public const int ShortMs = 10;
    public const int LongMs = 20;

    /// <summary>Loss, over the last second, from which the link is poor.</summary>
    public const double PoorLossPercent = 2;

    /// <summary>How long the link must have been good before frames are short again.</summary>
    public static readonly TimeSpan GoodFor = TimeSpan.FromSeconds(10);

    /// <summary>Fewer packets than this in a second say nothing about loss.</summary>
    private const int Evidence = 20;

    private long _received;
    private long _lost;
    private TimeSpan _poorAt = TimeSpan.MinValue;

    /// <summary>Milliseconds of the next frame.</summary>
    public int Ms { get; private set; } = shortFrames ? ShortMs : LongMs;

    public int Samples => Ms * AudioOptions.SampleRate / 1000;

    /// <summary>
    /// About once a second: whether media has fallen back to the TLS link, what the call's incoming audio counted so far
    /// (packets received and lost), and the time now on a steady clock.
    /// </summary>
    public void Update(bool overTls, long received, long lost, TimeSpan now)
    {
        var (newly, missing) = (received - _received, lost - _lost);
        (_received, _lost) = (received, lost);
        if (!shortFrames)
        {
            return;
        }

        var lossy = newly + missing >= Evidence && missing >= 0 && 100.0 * missing / (newly + missing) >= PoorLossPercent;
        if (overTls || lossy)
        {
            _poorAt = now;
            Ms = LongMs;
        }
        else if (_poorAt == TimeSpan.MinValue || now - _poorAt >= GoodFor)
        {
            Ms = ShortMs;
        }
    }
}
