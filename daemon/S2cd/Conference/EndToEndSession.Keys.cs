using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using S2cd.Security;

namespace S2cd.Conference;

/// <summary>Announcements, key bundles and rekeys: how members come to trust each other and hold each other's keys.</summary>
internal sealed partial class EndToEndSession
{
    /// <summary>Our announcement, signed once per stay (it names our member id, which does not change in it).</summary>
    private byte[] Announce() => _announcement ??= [AnnouncementSignal, .. Announcement.Create(_self.Identity, _self.Session, _self.SelfId, _self.PassphraseKey)];

    private void OnAnnouncement(Peer peer, ReadOnlySpan<byte> body)
    {
        if (peer.State != PeerState.Waiting)
        {
            // A member announces itself once per stay; a second announcement could only be a relay's attempt at a swap.
            if (peer.State == PeerState.Verified)
            {
                CountBadBundle(peer.Id, $"member {peer.Id} announced a second certificate; the first stays");
            }

            return;
        }

        var certificate = Announcement.Verify(body, _self.Session, peer.Id, _self.PassphraseKey, out var refusal);
        lock (_lock)
        {
            if (certificate is null)
            {
                peer.State = PeerState.Refused;
                peer.Reason = refusal;
            }
            else
            {
                peer.Verify(certificate);
            }
        }

        if (certificate is null)
        {
            _counts.Refused();
            LogRefused(peer.Id, refusal!);
        }
        else
        {
            LogVerified(peer.Id, peer.Fingerprint!);
            RequestRekey();
        }

        _memberChanged(peer.Id);
    }

    private void OnKeyBundle(Peer peer, ReadOnlySpan<byte> body)
    {
        if (peer.State != PeerState.Verified)
        {
            if (peer.State == PeerState.Waiting)
            {
                CountBadBundle(peer.Id, $"member {peer.Id} sent a key bundle before its certificate");
            }

            return;
        }

        var outcome = KeyBundle.Open(
            body, _self.Session, peer.Id, peer.Certificate!, peer.NewestKeyId, _self.Identity, _self.SelfId, out var keyId, out var secret, out var problem,
            mayUnwrap: () => peer.Bundles.TryTake(1));
        switch (outcome)
        {
            case KeyBundle.Outcome.Accepted:
                var first = peer.NewestKeyId == 0;
                peer.Install(keyId, secret!, _time.GetTimestamp() + (long)(OldKeyLifetime.TotalSeconds * _time.TimestampFrequency));
                CryptographicOperations.ZeroMemory(secret);
                if (first)
                {
                    _memberChanged(peer.Id);
                }

                break;
            case KeyBundle.Outcome.Rejected:
                CountBadBundle(peer.Id, $"key bundle from member {peer.Id} rejected: {problem}");
                break;
        }
    }

    private void RequestRekey() => _rekeys.Request();

    /// <summary>A fresh key of ours, wrapped to the members verified now and sent before it is first used.</summary>
    private void Rekey()
    {
        List<KeyBundle.Recipient> recipients;
        lock (_lock)
        {
            recipients = [.. _peers.Values.Where(p => p.State == PeerState.Verified).Select(p => new KeyBundle.Recipient(p.Id, p.Certificate!))];
        }

        var keyId = SendKeyId + 1;
        var secret = RandomNumberGenerator.GetBytes(MediaKey.SecretBytes);
        var key = new MediaKey(keyId, secret);
        if (recipients.Count > 0)
        {
            var bundle = KeyBundle.Create(_self.Identity, _self.Session, _self.SelfId, keyId, secret, recipients);
            _sendSignal(0, [KeyBundleSignal, .. bundle]);
        }

        CryptographicOperations.ZeroMemory(secret);
        _sendKey.Replace(key, keyId);
        LogRekeyed(keyId, recipients.Count);
    }

    private void CountBadBundle(uint member, string problem)
    {
        _counts.BadBundle();
        if (_counts.MayLog(MaxLoggedProblems))
        {
            LogBadSignal(member, problem);
        }
    }

    [LoggerMessage(EventId = LogEvents.Verified, Level = LogLevel.Information, Message = "Member {Member} verified: certificate {Fingerprint}")]
    private partial void LogVerified(uint member, string fingerprint);

    [LoggerMessage(EventId = LogEvents.EndToEndSessionRefused, Level = LogLevel.Warning, Message = "Member {Member} refused, given no keys: {Reason}")]
    private partial void LogRefused(uint member, string reason);

    [LoggerMessage(EventId = LogEvents.BadSignal, Level = LogLevel.Warning, Message = "Dropped a signal from member {Member}: {Problem}")]
    private partial void LogBadSignal(uint member, string problem);

    [LoggerMessage(EventId = LogEvents.Rekeyed, Level = LogLevel.Debug, Message = "New media key {KeyId}, given to {Count} members")]
    private partial void LogRekeyed(uint keyId, int count);
}
