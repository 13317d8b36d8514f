using System.Buffers;
using S2cd.Wire;

namespace S2cd.Conference;

/// <summary>
/// Media on its way in: a member's payload is opened under its end-to-end key (unless end-to-end encryption is off)
/// and handed to the video or audio sink, the chat or the shared screens; one that does not open is dropped (the session counts why). On the way out
/// the transport seals straight into its frame (<see cref="Transport.IMediaSealer"/>), so nothing is copied here.
/// The mixer plays each member at its volume (<see cref="Volumes"/>), read without a lock.
/// </summary>
internal sealed class MediaRouter
{
    public MediaRouter(IVideoSink video, IAudioSink audio)
    {
        Video = video;
        Audio = audio;
        audio.UseVolumes(Volumes.Of);
    }

    public IVideoSink Video { get; }

    public IAudioSink Audio { get; }

    public MemberVolumes Volumes { get; } = new();

    /// <summary>Where chat messages go (the conference core sets it); without it they are dropped.</summary>
    public CallChat? Chat { get; set; }

    /// <summary>Where shared screens' updates go (the conference core sets it); without it they are dropped.</summary>
    public SharedScreens? Screens { get; set; }

    /// <summary>Forgets what is kept of <paramref name="member"/> (it left): pictures, sound, its chat limit and its screen.</summary>
    public void Remove(uint member)
    {
        Video.Remove(member);
        Audio.Remove(member);
        Chat?.Forget(member);
        Screens?.Remove(member);
    }

    /// <summary>Forgets everyone's pictures, sound and screens.</summary>
    public void Clear()
    {
        Video.Clear();
        Audio.Clear();
        Screens?.Clear();
    }

    /// <summary>Opens <paramref name="payload"/> from <paramref name="sender"/> with <paramref name="e2e"/> (null: it is plain) and delivers it.</summary>
    public void Receive(EndToEndSession? e2e, uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        if (e2e is null)
        {
            Deliver(sender, kind, payload);
            return;
        }

        var length = (int)payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length * 2);
        try
        {
            var sealedFrame = buffer.AsSpan(0, length);
            payload.CopyTo(sealedFrame);
            if (e2e.Open(sender, kind, sealedFrame, buffer.AsSpan(length), out var opened) == EndToEndSession.OpenResult.Opened)
            {
                Deliver(sender, kind, new ReadOnlySequence<byte>(buffer, length, opened));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Deliver(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        switch (kind)
        {
            case MediaKind.Video:
                Video.OnVideo(sender, payload);
                break;
            case MediaKind.Audio:
                Audio.OnAudio(sender, payload);
                break;
            case MediaKind.Text:
                Chat?.Receive(sender, payload);
                break;
            case MediaKind.Screen:
                Screens?.Receive(sender, payload);
                break;
        }
    }
}
