using S2cd.Contract;
using S2cd.Transport;

namespace S2cd.Conference;

/// <summary>Who we are in which call: changed as a whole under the core's lock, read as a whole.</summary>
internal sealed record CallSettings(string Name, bool Muted = false, bool CameraOn = true)
{
    /// <summary>The session joined or being joined, or null.</summary>
    public string? Session { get; init; }

    /// <summary>The relay (or relays, comma-separated, to try in turn) asked for.</summary>
    public string? Relay { get; init; }

    /// <summary>The stretched passphrase of the session, or null.</summary>
    public byte[]? PassphraseKey { get; init; }

    /// <summary>Seconds away before this stay began as a rejoin after a restart, or null.</summary>
    public double? RejoinedAfterSeconds { get; init; }

    /// <summary>Our flags as the relay carries them to the others.</summary>
    public Wire.MemberFlags Flags => (Muted ? Wire.MemberFlags.Muted : 0) | (CameraOn ? Wire.MemberFlags.CameraOn : 0);

    /// <summary>The same call, left: who we are and our mute and camera state stay.</summary>
    public CallSettings Left() => this with { Session = null, Relay = null, PassphraseKey = null, RejoinedAfterSeconds = null };
}

/// <summary>The state of the link to the relay: where the core's state machine is, why, and the link itself.</summary>
internal readonly record struct LinkState(ConnectionState State, string? Reason = null, ITransportLink? Link = null, LinkSecurity? Security = null)
{
    public static LinkState Idle => new(ConnectionState.Idle);
}

/// <summary>What the core holds of the call, read at once under its lock; the status is composed from it outside.</summary>
internal sealed record CallSnapshot(CallSettings Call, LinkState Link, uint SelfId, int Others);
