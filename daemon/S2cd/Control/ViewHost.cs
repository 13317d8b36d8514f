using System.Globalization;
using S2cd.Conference;
using S2cd.Contract;
using S2cd.Platform;
using S2cd.Render;
using S2cd.Video;

namespace S2cd.Control;

/// <summary>
/// A view opened by one control client: gathers the participants, their latest pictures and the
/// link state, and has its <see cref="ViewRenderer"/> draw them at the client's size and mode.
/// </summary>
internal sealed class ViewHost : IDisposable
{
    private readonly ConferenceLink _conference;
    private readonly PictureStore _pictures;
    private readonly TimeProvider _time;
    private readonly ViewRenderer _renderer;
    private readonly IDisposable? _preview;
    private readonly bool _hideSelf;
    private readonly RateMeter _frameRate = new();
    private readonly OutputRate _output = new();
    private readonly HeldFigures _figures = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ViewChat _chat;

    // The keys over the picture, a shared screen at full size, the frame rate: every field set.
    private ViewSettings _keys = new() { Help = false, ScreenFull = false, FrameRate = ViewSettings.Unpaced };

    private long _lastFrameAt = long.MinValue;

    private ViewHost(ConferenceLink conference, PictureStore pictures, TimeProvider time, ViewRequest request, RenderOptions options)
    {
        _conference = conference;
        _pictures = pictures;
        _time = time;
        _hideSelf = request.HideSelf;
        _renderer = new ViewRenderer(request.Columns, request.Rows, options);
        _preview = request.Preview ? conference.StartPreview() : null;
        _chat = new ViewChat(conference.Texts.Chat);
    }

    /// <summary>Checks a request and opens the view; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public static ViewHost Open(ConferenceLink conference, PictureStore pictures, TimeProvider time, ViewRequest request)
    {
        CheckSize(request.Columns, request.Rows);
        var mode = request.Mode switch
        {
            "ascii" => RenderMode.Ascii,
            "ascii-color" => RenderMode.AsciiColor,
            "blocks" => RenderMode.Blocks,
            _ => throw new ArgumentException("mode must be ascii, ascii-color or blocks"),
        };
        var colors = request.Colors switch
        {
            "truecolor" => ColorDepth.TrueColor,
            "256" => ColorDepth.Ansi256,
            _ => throw new ArgumentException("colors must be truecolor or 256"),
        };
        if (request.Ramp is { } ramp && (ramp.Length is < 2 or > 256 || ramp.Any(c => c is < ' ' or > '~')))
        {
            throw new ArgumentException("ramp must be 2 to 256 printable ASCII characters");
        }

        var options = new RenderOptions { Mode = mode, Colors = colors, Invert = request.Invert, Ramp = request.Ramp ?? RenderOptions.DefaultRamp };
        return new ViewHost(conference, pictures, time, request, options);
    }

    public long Version { get; private set; } = -1;

    public void Resize(int columns, int rows)
    {
        CheckSize(columns, rows);
        lock (_renderer)
        {
            _renderer.Resize(columns, rows);
            Version = -1;
        }
    }

    /// <summary>
    /// Shows or hides the keys and the chat strip, opens or closes the input line with its draft, and sets the frame
    /// rate (null fields stay); the next frame shows it at once. A draft without an open line opens it.
    /// </summary>
    public ViewSettings Set(ViewSettings settings)
    {
        if (settings.FrameRate is { } rate && rate != ViewSettings.Unpaced && !ViewSettings.FrameRates.Contains(rate))
        {
            throw new ArgumentException("frameRate must be 5, 10, 15, 20 or 30 (or 0: a frame whenever a picture changes)");
        }

        ViewChat.Check(settings);

        lock (_renderer)
        {
            _keys = new ViewSettings { Help = settings.Help ?? _keys.Help, ScreenFull = settings.ScreenFull ?? _keys.ScreenFull, FrameRate = settings.FrameRate ?? _keys.FrameRate };
            var chat = _chat.Apply(settings);
            _changed.TrySetResult();
            return chat with { Help = _keys.Help, FrameRate = _keys.FrameRate, ScreenFull = _keys.ScreenFull };
        }
    }

    /// <summary>
    /// Waits for a change after <paramref name="afterVersion"/> (or the timeout, or new settings), no sooner than the view's
    /// frame rate allows after the last frame, and renders the newest state.
    /// </summary>
    public async Task<ViewFrame> NextAsync(long afterVersion, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _output.Asked(_time.GetTimestamp(), _time.TimestampFrequency);
        Task changed;
        lock (_renderer)
        {
            changed = _changed.Task;
        }

        // A resize since the client's last frame forces a redraw at once.
        if (Version != -1 && !changed.IsCompleted)
        {
            await Task.WhenAny(_pictures.WaitForChangeAsync(afterVersion, timeout, cancellationToken), changed).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var rate = _keys.FrameRate ?? ViewSettings.Unpaced;
        var due = _lastFrameAt == long.MinValue || rate == ViewSettings.Unpaced ? 0 : _lastFrameAt + (_time.TimestampFrequency / rate) - _time.GetTimestamp();
        if (due > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(due / (double)_time.TimestampFrequency), _time, cancellationToken).ConfigureAwait(false);
        }

        lock (_renderer)
        {
            if (_changed.Task.IsCompleted)
            {
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _lastFrameAt = _time.GetTimestamp();
            var version = _pictures.Version;
            var tiles = Tiles();
            CountFrame();
            _renderer.ByteBudget = _output.FrameBudget;
            var strip = _chat.Strip(_renderer.Cols, _renderer.Rows);
            var data = _renderer.Render(tiles, StatusLine(), _keys.Help == true, strip);
            _output.Returned(data, _time.GetTimestamp());
            Version = version;
            long? newest = null;
            foreach (var tile in tiles)
            {
                if (!tile.IsSelf && tile.Picture is { } picture && (newest is null || picture.CapturedAt > newest))
                {
                    newest = picture.CapturedAt;
                }
            }

            return new ViewFrame { Version = version, Data = data, NewestCaptureUnixMicroseconds = newest };
        }
    }

    public void Dispose() => _preview?.Dispose();

    private static void CheckSize(int columns, int rows)
    {
        if (columns is < 8 or > 1000 || rows is < 4 or > 400)
        {
            throw new ArgumentException("a view is 8 to 1000 columns and 4 to 400 rows");
        }
    }

    private List<Tile> Tiles()
    {
        var participants = _conference.GetParticipants();
        var tiles = new List<Tile>(participants.Count);
        foreach (var p in participants)
        {
            if (p.IsSelf && _hideSelf)
            {
                continue;
            }

            var picture = p.IsSelf ? _pictures.Self : _pictures.Get(p.Id).Picture;
            tiles.Add(new Tile(p.Name, p.IsSelf, p.Muted, p.CameraOn, p.Speaking, picture, p.VideoFps, p.Trust == Trust.Refused));
        }

        // A shared screen is a tile of its own, after the cameras; s shows the first alone, at the view's size.
        var screens = new List<Tile>();
        foreach (var p in participants)
        {
            if (p.Sharing is not null && (p.IsSelf ? _conference.Texts.Screens.Own : _conference.Texts.Screens.Of(p.Id)) is { } shared)
            {
                screens.Add(new Tile($"{p.Name}'s screen {shared.Cols}×{shared.Rows}", p.IsSelf, false, true, false, null, 0, Screen: shared));
            }
        }

        return _keys.ScreenFull == true && screens.Count > 0 ? [screens[0]] : [.. tiles, .. screens];
    }

    private string StatusLine()
    {
        var status = _conference.GetViewStatus();
        var (fps, roundTrip) = _figures.Show(_time.GetTimestamp(), _time.TimestampFrequency, ViewFps(), status.RoundTripMs);
        return StatusText.ViewLine(status with { RoundTripMs = roundTrip }, fps, _keys.FrameRate ?? ViewSettings.Unpaced, _chat.Unread());
    }

    private void CountFrame() => _frameRate.Mark(_time.GetTimestamp());

    private double ViewFps() => _frameRate.PerSecond(_time.GetTimestamp(), _time.TimestampFrequency);
}
