using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using S2cd.Contract;
using S2cd.Hosting;
using S2cd.Relay;
using S2cd.Security;
using S2cd.Transport;
using S2cd.Wire;

namespace S2cd.Conference;

internal sealed partial class ConferenceLink
{
    private async Task RunAsync(string relay, TaskCompletionSource welcomed, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            var refused = false;
            try
            {
                (reason, refused) = await ConnectOnceAsync(relay, welcomed, cancellationToken).ConfigureAwait(false);
                if (GetStatus().Connection == ConnectionState.Connected || welcomed.Task.IsCompletedSuccessfully)
                {
                    attempt = 0;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ArgumentException)
            {
                reason = ex is OperationCanceledException ? "timed out connecting to the relay" : ex.Message;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            ClearMembers();
            if (refused || !welcomed.Task.IsCompletedSuccessfully)
            {
                // A refusal is final, and so is a first join that never got in: the user hears about it at once.
                var message = refused ? $"relay {relay} refused: {reason}" : $"cannot reach relay {relay}: {reason}";
                SetState(ConnectionState.Failed, message);
                LogLinkFailed(message);
                welcomed.TrySetException(new ConferenceException(message));
                return;
            }

            var delay = Backoff(attempt++);
            SetState(ConnectionState.Reconnecting, reason);
            LogReconnecting(relay, reason, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection to the relay, from connect to close. Returns why it ended and whether the relay refused us.</summary>
    private async Task<(string Reason, bool Refused)> ConnectOnceAsync(string relay, TaskCompletionSource welcomed, CancellationToken cancellationToken)
    {
        var endpoint = DaemonOptions.ResolveEndPoint(relay);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            SendBufferSize = RelayServer.SocketSendBufferBytes,
        };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (_options.Tls)
        {
            var (secured, problem, pinMismatch) = await SecureAsync(stream, relay, cancellationToken).ConfigureAwait(false);
            if (secured is null)
            {
                // A changed certificate is final, like a refusal: retrying cannot fix it and must not hide it.
                return (problem!, pinMismatch);
            }

            stream = secured;
        }
        else
        {
            SetEncryption("not encrypted (Conference:Tls is false)");
        }

        var connection = new FrameConnection(stream, _connectionOptions, _time);
        string? refusal = null;
        await using (connection.ConfigureAwait(false))
        {
            MemberFlags flags;
            string session, name;
            lock (_lock)
            {
                flags = FlagsLocked();
                session = _session!;
                name = _name;
                _connection = connection;
            }

            connection.SendControl((flags, session, name), static (w, s) => FrameWriter.WriteHello(w, s.flags, s.session, s.name));
            try
            {
                await connection.RunAsync(
                    (type, body) =>
                    {
                        if (type == FrameType.Error)
                        {
                            var (_, message) = FrameReader.ReadError(body);
                            refusal = message;
                            connection.Abort(message);
                            return;
                        }

                        OnFrame(type, body, welcomed);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                EndToEndSession? e2e;
                lock (_lock)
                {
                    _connection = null;
                    e2e = _e2e;
                    _e2e = null;
                }

                if (e2e is not null)
                {
                    var (tampered, replayed, oldKey, bundles, refused, awaiting) = e2e.Counters;
                    lock (_lock)
                    {
                        _e2eTotals = new EndToEndSession.Figures(
                            _e2eTotals.Tampered + tampered,
                            _e2eTotals.Replayed + replayed,
                            _e2eTotals.OldKey + oldKey,
                            _e2eTotals.BadKeyBundles + bundles,
                            _e2eTotals.RefusedMembers + refused,
                            _e2eTotals.AwaitingKey + awaiting);
                    }

                    await e2e.DisposeAsync().ConfigureAwait(false);
                }
            }

            return (refusal ?? connection.CloseReason ?? "connection closed", refusal is not null);
        }
    }

    /// <summary>
    /// TLS 1.3 to the relay, trusting its certificate by fingerprint: the configured one, else the one pinned in
    /// known_relays, else (first use) the one presented, which is then pinned. Returns the stream, or why not.
    /// </summary>
    private async Task<(Stream? Stream, string? Problem, bool PinMismatch)> SecureAsync(Stream stream, string relay, CancellationToken cancellationToken)
    {
        var expected = _options.RelayFingerprint ?? _knownRelays.Find(relay);
        string? presented = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : Fingerprint.Of(certificate.GetRawCertData());
            return presented is not null && (expected is null || expected == presented);
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            _ = NameRules.TryParseEndpoint(relay, out var host, out _);
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = host, EnabledSslProtocols = SslProtocols.Tls13 },
                timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (presented is not null && expected is not null && presented != expected)
            {
                var source = _options.RelayFingerprint is not null ? "Conference:RelayFingerprint" : _knownRelays.Path;
                return (null, $"relay {relay} presented certificate {presented}, but {source} expects {expected}. "
                    + $"If the relay's certificate was replaced on purpose, remove the line for {relay} from {_knownRelays.Path} "
                    + "(or set Conference:RelayFingerprint to the new fingerprint, which the relay logs) and join again", true);
            }

            return (null, $"TLS with the relay failed: {ex.Message}", false);
        }

        if (expected is null)
        {
            _knownRelays.Remember(relay, presented!);
            LogRelayPinned(relay, presented!, _knownRelays.Path);
        }

        SetEncryption($"TLS 1.3 to the relay, certificate {presented}");
        return (ssl, null, false);
    }

    private void OnFrame(FrameType type, ReadOnlySequence<byte> body, TaskCompletionSource welcomed)
    {
        switch (type)
        {
            case FrameType.Welcome:
                var (version, selfId, members) = FrameReader.ReadWelcome(body, 1024);
                if (version != WireProtocol.Version)
                {
                    throw new WireProtocolException(WireError.VersionMismatch, $"relay speaks wire protocol {version}, this daemon {WireProtocol.Version}");
                }

                OnWelcome(selfId, members);
                welcomed.TrySetResult();
                break;
            case FrameType.Presence:
                var (ev, member) = FrameReader.ReadPresence(body);
                OnPresence(ev, member);
                break;
            case FrameType.MediaForward:
                var (sender, kind, payload) = FrameReader.ReadMediaForward(body);
                if (IsMember(sender))
                {
                    OnMedia(sender, kind, payload);
                }

                break;
            case FrameType.SignalForward:
                var (from, signal) = FrameReader.ReadSignal(body);
                if (IsMember(from))
                {
                    CurrentEndToEnd()?.OnSignal(from, signal);
                }

                break;
            default:
                throw new WireProtocolException(WireError.UnexpectedFrame, $"unexpected frame type 0x{(byte)type:x2} from the relay");
        }
    }

    /// <summary>Opens a member's media (end-to-end sealed unless Conference:EndToEnd is off) and hands it on.</summary>
    private void OnMedia(uint sender, MediaKind kind, ReadOnlySequence<byte> payload)
    {
        var e2e = CurrentEndToEnd();
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
        if (kind == MediaKind.Video)
        {
            _video.OnVideo(sender, payload);
        }
        else
        {
            _audio.OnAudio(sender, payload);
        }
    }

    private EndToEndSession? CurrentEndToEnd()
    {
        lock (_lock)
        {
            return _e2e;
        }
    }

    /// <summary>Sends an end-to-end signal to member <paramref name="target"/> (0: everyone else) through the relay.</summary>
    private void SendSignal(uint target, byte[] payload)
    {
        FrameConnection? connection;
        lock (_lock)
        {
            connection = _connection;
        }

        connection?.SendControl((target, payload), static (w, s) => FrameWriter.WriteSignal(w, FrameType.Signal, s.target, new ReadOnlySequence<byte>(s.payload)));
    }

    /// <summary>A member's trust changed (verified, refused, first key): the views and `who` show it.</summary>
    private void OnMemberTrustChanged(uint id)
    {
        ParticipantInfo? info;
        lock (_lock)
        {
            _members.TryGetValue(id, out info);
        }

        if (info is not null)
        {
            Publish(ControlEventKind.ParticipantChanged, info);
        }
    }

    private void OnWelcome(uint selfId, WireMember[] members)
    {
        List<ParticipantInfo> joined = [];
        EndToEndSession? e2e = null;
        lock (_lock)
        {
            _selfId = selfId;
            _members.Clear();
            if (_options.EndToEnd && _identity is not null)
            {
                e2e = new EndToEndSession(_identity, _session!, selfId, _passphraseKey, SendSignal, OnMemberTrustChanged, _time, _logger);
                _e2e = e2e;
            }

            foreach (var member in members)
            {
                if (member.Id != selfId && IsAcceptable(member))
                {
                    var info = ToInfo(member);
                    _members[member.Id] = info;
                    joined.Add(info);
                    e2e?.MemberPresent(member.Id, newlyJoined: false);
                }
            }
        }

        e2e?.AnnounceToAll();

        SetState(ConnectionState.Connected, null);
        LogJoined(GetStatus().Session ?? "?", GetStatus().Relay ?? "?", members.Length + 1);
        foreach (var info in joined)
        {
            Publish(ControlEventKind.ParticipantJoined, info);
        }
    }

    private void OnPresence(PresenceEvent ev, WireMember member)
    {
        if (!IsAcceptable(member))
        {
            throw new WireProtocolException(WireError.InvalidName, "relay sent a member with an invalid name");
        }

        ParticipantInfo info = ToInfo(member);
        ControlEventKind kind;
        lock (_lock)
        {
            if (member.Id == _selfId)
            {
                return;
            }

            switch (ev)
            {
                case PresenceEvent.Left:
                    if (!_members.Remove(member.Id, out var gone))
                    {
                        return;
                    }

                    _pictures.Remove(member.Id);
                    _audio.Remove(member.Id);
                    _e2e?.MemberLeft(member.Id);

                    info = gone;
                    kind = ControlEventKind.ParticipantLeft;
                    break;
                case PresenceEvent.Joined:
                    _members[member.Id] = info;
                    _e2e?.MemberPresent(member.Id, newlyJoined: true);
                    kind = ControlEventKind.ParticipantJoined;
                    break;
                default:
                    kind = _members.ContainsKey(member.Id) ? ControlEventKind.ParticipantChanged : ControlEventKind.ParticipantJoined;
                    _members[member.Id] = info;
                    _e2e?.MemberPresent(member.Id, newlyJoined: false);
                    if (info.Muted)
                    {
                        // Silence a member the moment it mutes, rather than playing out what is still buffered.
                        _audio.Remove(member.Id);
                    }

                    break;
            }
        }

        Publish(kind, info);
    }

    private async Task StopRunAsync(bool sendLeave)
    {
        CancellationTokenSource? run;
        Task? task;
        FrameConnection? connection;
        lock (_lock)
        {
            run = _runCancellation;
            task = _runTask;
            connection = _connection;
            _runCancellation = null;
            _runTask = null;
        }

        if (run is null)
        {
            return;
        }

        if (sendLeave && connection is not null)
        {
            // Tell the relay at once, so the others see us go now rather than at the heartbeat timeout.
            connection.SendControl(0, static (w, _) => FrameWriter.WriteEmpty(w, FrameType.Leave));
            await Task.WhenAny(task ?? Task.CompletedTask, Task.Delay(TimeSpan.FromMilliseconds(500), _time)).ConfigureAwait(false);
        }

        await run.CancelAsync().ConfigureAwait(false);
        if (task is not null)
        {
            await task.ConfigureAwait(false);
        }

        run.Dispose();
        lock (_lock)
        {
            _session = null;
            _relay = null;
            _members.Clear();
            _selfId = 0;
            _passphraseKey = null;
        }

        _pictures.Clear();
        _audio.Clear();
        _cameraDemand.Writer.TryWrite(true);
        SetState(ConnectionState.Idle, null);
    }

    private bool IsMember(uint id)
    {
        lock (_lock)
        {
            return _members.ContainsKey(id);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(0.25 * Math.Pow(2, Math.Min(attempt, 10)), _options.ReconnectMaxSeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    private static bool IsAcceptable(WireMember member) => NameRules.CheckDisplayName(member.Name) is null;

    private static ParticipantInfo ToInfo(WireMember member) => new()
    {
        Id = member.Id,
        Name = member.Name,
        IsSelf = false,
        Muted = member.Flags.HasFlag(MemberFlags.Muted),
        CameraOn = member.Flags.HasFlag(MemberFlags.CameraOn),
    };
}
