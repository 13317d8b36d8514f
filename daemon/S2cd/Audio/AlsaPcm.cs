namespace S2cd.Audio;

/// <summary>
/// A capture or playback PCM, 16-bit signed little-endian interleaved, set up for low delay: period and
/// buffer sizes near what is asked. Reads and writes recover from xruns and suspends (counted, never
/// fatal) and throw <see cref="AlsaException"/> only for errors that recovery cannot fix.
/// </summary>
internal sealed class AlsaPcm : IPcm
{
    private readonly AlsaPcmHandle _handle;

    private AlsaPcm(AlsaPcmHandle handle, string device, bool capture, uint rate, int periodFrames, int bufferFrames)
    {
        _handle = handle;
        Device = device;
        IsCapture = capture;
        Rate = rate;
        PeriodFrames = periodFrames;
        BufferFrames = bufferFrames;
    }

    public string Device { get; }

    public bool IsCapture { get; }

    public uint Rate { get; }

    public int PeriodFrames { get; }

    public int BufferFrames { get; }

    /// <summary>Overruns (capture) or underruns (playback) and suspends recovered from.</summary>
    public long Xruns { get; private set; }

    /// <summary>What a person can do when a device does not open, for the errors that have a usual cause.</summary>
    private static string? OpenHint(int error, string device) => -error switch
    {
        2 => $"no ALSA device '{device}' here, no sound card? 's2c-attach devices' lists them; Audio:CaptureDevice and Audio:PlaybackDevice choose",
        13 => "no permission: the daemon's user must be in group audio",
        16 => $"'{device}' is busy: another program has it open",
        _ => null,
    };

    public static AlsaPcm Open(string device, bool capture, uint rate, int channels, int periodFrames, int periods)
    {
        var handle = new AlsaPcmHandle();
        var opened = Interop.Alsa.snd_pcm_open(out var pcm, device, capture ? Interop.Alsa.SND_PCM_STREAM_CAPTURE : Interop.Alsa.SND_PCM_STREAM_PLAYBACK, 0);
        if (opened < 0)
        {
            throw new AlsaException($"snd_pcm_open({device})", opened, OpenHint(opened, device));
        }

        handle.Set(pcm);
        try
        {
            var (actualRate, period, buffer) = SetHardware(handle, rate, channels, periodFrames, periods);
            SetSoftware(handle, capture, period, buffer);
            AlsaException.Check(Interop.Alsa.snd_pcm_prepare(handle), "snd_pcm_prepare");
            return new AlsaPcm(handle, device, capture, actualRate, period, buffer);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads up to <paramref name="samples"/>.Length frames (mono); returns the number read.</summary>
    public unsafe int Read(Span<short> samples)
    {
        while (true)
        {
            nint result;
            fixed (short* buffer = samples)
            {
                result = Interop.Alsa.snd_pcm_readi(_handle, buffer, (nuint)samples.Length);
            }

            if (result >= 0)
            {
                return (int)result;
            }

            Recover((int)result, "snd_pcm_readi");
        }
    }

    /// <summary>Writes all of <paramref name="samples"/>, recovering from underruns on the way.</summary>
    public unsafe void Write(ReadOnlySpan<short> samples)
    {
        while (!samples.IsEmpty)
        {
            nint result;
            fixed (short* buffer = samples)
            {
                result = Interop.Alsa.snd_pcm_writei(_handle, buffer, (nuint)samples.Length);
            }

            if (result >= 0)
            {
                samples = samples[(int)result..];
                continue;
            }

            Recover((int)result, "snd_pcm_writei");
        }
    }

    /// <summary>Frames that can be read or written without blocking.</summary>
    public int Avail()
    {
        var avail = Interop.Alsa.snd_pcm_avail_update(_handle);
        return avail >= 0 ? (int)avail : 0;
    }

    /// <summary>Frames between the application and the converter (playback: queued; capture: waiting to be read).</summary>
    public int Delay() => Interop.Alsa.snd_pcm_delay(_handle, out var frames) == 0 ? (int)frames : 0;

    public void Dispose()
    {
        if (!_handle.IsClosed)
        {
            _ = Interop.Alsa.snd_pcm_drop(_handle);
        }

        _handle.Dispose();
    }

    private void Recover(int error, string operation)
    {
        // -EPIPE (xrun) and -ESTRPIPE (suspend) are recoverable; -EINTR is a retry.
        if (error is -32 or -86 or -4)
        {
            if (error != -4)
            {
                Xruns++;
            }

            AlsaException.Check(Interop.Alsa.snd_pcm_recover(_handle, error, 1), operation + " recovery");
            return;
        }

        throw new AlsaException(operation, error);
    }

    private static (uint Rate, int Period, int Buffer) SetHardware(AlsaPcmHandle handle, uint rate, int channels, int periodFrames, int periods)
    {
        AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_malloc(out var parameters), "snd_pcm_hw_params_malloc");
        try
        {
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_any(handle, parameters), "snd_pcm_hw_params_any");
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_set_access(handle, parameters, Interop.Alsa.SND_PCM_ACCESS_RW_INTERLEAVED), "set access");
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_set_format(handle, parameters, Interop.Alsa.SND_PCM_FORMAT_S16_LE), "set format S16_LE");
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_set_channels(handle, parameters, (uint)channels), $"set {channels} channel(s)");
            var actualRate = rate;
            var dir = 0;
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_set_rate_near(handle, parameters, ref actualRate, ref dir), $"set rate {rate}");
            if (actualRate != rate)
            {
                throw new AlsaException($"rate {rate} Hz not supported (nearest {actualRate})", -22);
            }

            var period = (nuint)periodFrames;
            dir = 0;
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_set_period_size_near(handle, parameters, ref period, ref dir), "set period size");
            var buffer = period * (nuint)periods;
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params_set_buffer_size_near(handle, parameters, ref buffer), "set buffer size");
            AlsaException.Check(Interop.Alsa.snd_pcm_hw_params(handle, parameters), "snd_pcm_hw_params");
            return (actualRate, (int)period, (int)buffer);
        }
        finally
        {
            Interop.Alsa.snd_pcm_hw_params_free(parameters);
        }
    }

    private static void SetSoftware(AlsaPcmHandle handle, bool capture, int period, int buffer)
    {
        AlsaException.Check(Interop.Alsa.snd_pcm_sw_params_malloc(out var parameters), "snd_pcm_sw_params_malloc");
        try
        {
            AlsaException.Check(Interop.Alsa.snd_pcm_sw_params_current(handle, parameters), "snd_pcm_sw_params_current");

            // Playback starts once one period is queued (low delay); capture starts on the first read.
            AlsaException.Check(Interop.Alsa.snd_pcm_sw_params_set_start_threshold(handle, parameters, capture ? 1u : (nuint)period), "set start threshold");
            AlsaException.Check(Interop.Alsa.snd_pcm_sw_params_set_avail_min(handle, parameters, (nuint)period), "set avail min");
            AlsaException.Check(Interop.Alsa.snd_pcm_sw_params(handle, parameters), "snd_pcm_sw_params");
        }
        finally
        {
            Interop.Alsa.snd_pcm_sw_params_free(parameters);
        }
    }
}
