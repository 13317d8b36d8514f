namespace S2cd.Video;

/// <summary>
/// One decoded picture: packed RGB, 8 bits per channel, and its luma plane for the character modes.
/// Immutable once made; shared by every view that renders it.
/// </summary>
internal sealed class Picture
{
    public Picture(int width, int height, byte[] rgb, long capturedAt, uint sequence)
    {
        if (width <= 0 || height <= 0 || rgb.Length < width * height * 3)
        {
            throw new ArgumentException("picture size does not match its pixels");
        }

        Width = width;
        Height = height;
        Rgb = rgb;
        CapturedAt = capturedAt;
        Sequence = sequence;
        Luma = new byte[width * height];
        for (int i = 0, p = 0; i < Luma.Length; i++, p += 3)
        {
            // ITU-R BT.601 weights in fixed point.
            Luma[i] = (byte)(((rgb[p] * 77) + (rgb[p + 1] * 150) + (rgb[p + 2] * 29)) >> 8);
        }
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>R, G, B for each pixel, row by row.</summary>
    public byte[] Rgb { get; }

    public byte[] Luma { get; }

    /// <summary>When the sender captured it: Unix time in microseconds.</summary>
    public long CapturedAt { get; }

    public uint Sequence { get; }
}
