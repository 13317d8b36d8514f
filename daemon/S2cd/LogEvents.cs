namespace S2cd;

/// <summary>
/// Every log event id of the daemon's assembly, in one place, so that one id names one kind of line. Grouped by
/// hundreds per type and thousands per area; a new message takes the next free id of its area here, never a
/// number written at the message.
/// </summary>
internal static class LogEvents
{
    /// <summary>Information, from ControlServer.LogListening.</summary>
    public const int Listening = 1001;

    /// <summary>Information, from ControlServer.LogClientConnected.</summary>
    public const int ClientConnected = 1002;

    /// <summary>Debug, from ControlServer.LogClientDisconnected.</summary>
    public const int ClientDisconnected = 1003;

    /// <summary>Warning, from ControlServer.LogClientDropped.</summary>
    public const int ClientDropped = 1004;

    /// <summary>Warning, from ControlServer.LogTooManyClients.</summary>
    public const int TooManyClients = 1005;

    /// <summary>Warning, from ControlServer.LogGroupMissing.</summary>
    public const int GroupMissing = 1006;

    /// <summary>Warning, from ControlServer.LogGroupNotApplied.</summary>
    public const int GroupNotApplied = 1007;

    /// <summary>Warning, from ControlServer.LogAcceptFailed.</summary>
    public const int AcceptFailed = 1008;

    /// <summary>Warning, from ControlServer.LogNoHello.</summary>
    public const int NoHello = 1009;

    /// <summary>Debug, from ControlSession.LogHello.</summary>
    public const int Hello = 1101;

    /// <summary>Information, from ControlSession.LogRefused.</summary>
    public const int ControlSessionRefused = 1102;

    /// <summary>Warning, from ControlSession.LogSlowSubscriber.</summary>
    public const int SlowSubscriber = 1103;

    /// <summary>Information, from CallEvents.LogJoined.</summary>
    public const int Joined = 2001;

    /// <summary>Warning, from TlsRelayLink.LogReconnecting.</summary>
    public const int Reconnecting = 2002;

    /// <summary>Warning, from TlsRelayLink.LogLinkFailed.</summary>
    public const int LinkFailed = 2003;

    /// <summary>Information, from TlsRelayLink.LogRelayPinned.</summary>
    public const int RelayPinned = 2004;

    /// <summary>Information, from EndToEndTrust.LogIdentity.</summary>
    public const int Identity = 2005;

    /// <summary>Warning, from TlsRelayLink.LogNextRelay.</summary>
    public const int NextRelay = 2006;

    /// <summary>Warning, from SessionMemory.LogDropped.</summary>
    public const int Dropped = 2030;

    /// <summary>Warning, from SessionMemory.LogUnreadable.</summary>
    public const int Unreadable = 2031;

    /// <summary>Warning, from SessionMemory.LogUnwritable.</summary>
    public const int Unwritable = 2032;

    /// <summary>Information, from CallMemory.LogRejoining.</summary>
    public const int Rejoining = 2033;

    /// <summary>Information, from CallMemory.LogRejoined.</summary>
    public const int Rejoined = 2034;

    /// <summary>Information, from CallMemory.LogRejoinDropped.</summary>
    public const int RejoinDropped = 2035;

    /// <summary>Warning, from CallMemory.LogRejoinFailed.</summary>
    public const int RejoinFailed = 2036;

    /// <summary>Information, from DatagramPath.LogActive.</summary>
    public const int Active = 2040;

    /// <summary>Warning, from DatagramPath.LogSilent.</summary>
    public const int Silent = 2041;

    /// <summary>Warning, from TlsRelayLink.LogNoDatagrams.</summary>
    public const int NoDatagrams = 2042;

    /// <summary>Warning, from DatagramPath.LogDeliveryFailed.</summary>
    public const int DeliveryFailed = 2043;

    /// <summary>Information, from EndToEndSession.LogVerified.</summary>
    public const int Verified = 2101;

    /// <summary>Warning, from EndToEndSession.LogRefused.</summary>
    public const int EndToEndSessionRefused = 2102;

    /// <summary>Warning, from EndToEndSession.LogBadSignal.</summary>
    public const int BadSignal = 2103;

    /// <summary>Debug, from EndToEndSession.LogRekeyed.</summary>
    public const int Rekeyed = 2104;

    /// <summary>Error, from EndToEndSession.LogRekeyFailed.</summary>
    public const int RekeyFailed = 2105;

    /// <summary>Information, from CameraService.LogCameraOpened.</summary>
    public const int CameraOpened = 4001;

    /// <summary>Warning, from CameraService.LogCameraUnavailable.</summary>
    public const int CameraUnavailable = 4002;

    /// <summary>Information, from AudioService.LogDeviceOpened.</summary>
    public const int DeviceOpened = 5001;

    /// <summary>Warning, from AudioService.LogDeviceUnavailable.</summary>
    public const int DeviceUnavailable = 5002;

    /// <summary>Information, from WatchdogService.LogWatchdog.</summary>
    public const int Watchdog = 6001;

    /// <summary>Error, from WatchdogService.LogUnhealthy.</summary>
    public const int Unhealthy = 6002;

    /// <summary>Information, from WatchdogService.LogHealthy.</summary>
    public const int Healthy = 6003;

    /// <summary>Error, from SupervisedService.LogServiceFailed.</summary>
    public const int ServiceFailed = 6101;

    /// <summary>Information, from SupervisedService.LogServiceRestarted.</summary>
    public const int ServiceRestarted = 6102;
}
