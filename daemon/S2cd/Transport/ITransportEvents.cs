using System.Buffers;
using S2cd.Wire;

namespace S2cd.Transport;

/// <summary>What a link tells the conference core. Calls come one at a time, from the link's own task.</summary>
internal interface ITransportEvents
{
    /// <summary>How we appear to the others, asked at every (re)connect for the hello.</summary>
    (MemberFlags Flags, string Name) Presence();

    /// <summary>The link is secured (or knowingly plain) and about to say hello.</summary>
    void OnSecured(LinkSecurity security);

    /// <summary>The relay let us in: our member id and who else is there.</summary>
    void OnWelcome(uint selfId, IReadOnlyList<WireMember> members);

    /// <summary>A member joined, left or changed its name or flags.</summary>
    void OnPresence(PresenceEvent ev, WireMember member);

    /// <summary>A member's media payload, as sealed by its sender. The payload is valid only during the call.</summary>
    void OnMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload);

    /// <summary>A member's end-to-end signal (announcement, key bundle). Valid only during the call.</summary>
    void OnSignal(uint sender, ReadOnlySequence<byte> payload);

    /// <summary>
    /// The connection ended: the members are gone until the next welcome. <paramref name="final"/> when the link
    /// gives up (a refusal, a changed relay certificate, a first join that never got in), else it reconnects.
    /// </summary>
    Task OnLinkLostAsync(string reason, bool final);
}
