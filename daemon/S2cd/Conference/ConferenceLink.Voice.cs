using S2cd.Contract;

namespace S2cd.Conference;

/// <summary>
/// What the audio service reports of the voice (our speaking mark, the processing that runs, what was sent) and the
/// per-participant playback volumes, which last for the session: a member who leaves and comes back keeps theirs.
/// </summary>
internal sealed partial class ConferenceLink
{
    public const int MaxVolumePercent = 200;
    private readonly Dictionary<string, int> _volumes = new(StringComparer.Ordinal);
    private string? _volumesSession;
    private AudioProcessing _audioProcessing = AudioProcessing.None;
    private bool _ownVoice;
    private long _audioPacketsSent;
    private long _audioBytesSent;

    /// <summary>Our own microphone's level and whether voice activity hears speech, for our speaking mark.</summary>
    public void SetOwnVoice(byte level, bool voice)
    {
        _ownLevel = level;
        _ownVoice = voice;
        Interlocked.Exchange(ref _ownLevelAt, _time.GetTimestamp());
    }

    /// <summary>What processes the microphone (for <c>status</c>), and why part of it cannot run.</summary>
    public void SetAudioProcessing(AudioProcessing processing)
    {
        lock (_lock)
        {
            _audioProcessing = processing;
        }
    }

    /// <summary>One audio packet of <paramref name="bytes"/> went to the session.</summary>
    public void CountAudioSent(int bytes)
    {
        Interlocked.Increment(ref _audioPacketsSent);
        Interlocked.Add(ref _audioBytesSent, bytes);
    }

    /// <summary>
    /// Plays <paramref name="name"/>'s audio at <paramref name="percent"/> of its level (0 to 200) from now until the
    /// session ends. Refused, changing nothing, outside a session (<see cref="InvalidOperationException"/>) or when the
    /// percent is out of range or nobody of that name is in it (<see cref="ArgumentException"/>).
    /// </summary>
    public IReadOnlyList<ParticipantInfo> SetVolume(string name, int percent)
    {
        if (percent is < 0 or > MaxVolumePercent)
        {
            throw new ArgumentException($"volume must be 0 to {MaxVolumePercent} percent, not {percent}");
        }

        lock (_lock)
        {
            if (_session is null)
            {
                throw new InvalidOperationException("not in a session: join one first");
            }

            if (!_membership.Others.Any(m => m.Name == name))
            {
                throw new ArgumentException($"nobody named '{name}' is in session {_session}");
            }

            VolumesLocked()[name] = percent;
        }

        Publish(ControlEventKind.ParticipantChanged, null);
        return GetParticipants();
    }

    /// <summary>The playback volume of member <paramref name="id"/> in percent; asked by the mixer every 10 ms.</summary>
    public int VolumeOf(uint id)
    {
        lock (_lock)
        {
            return _membership.TryGet(id, out var member) ? VolumeLocked(member.Name) : 100;
        }
    }

    private int VolumeLocked(string name) =>
        _volumesSession == _session && _volumes.TryGetValue(name, out var percent) ? percent : 100;

    private Dictionary<string, int> VolumesLocked()
    {
        if (_volumesSession != _session)
        {
            _volumes.Clear();
            _volumesSession = _session;
        }

        return _volumes;
    }
}
