namespace S2cd.Relay;

/// <summary>
/// Every log event id of the relay's assembly, in one place, so that one id names one kind of line. Grouped by
/// hundreds per type and thousands per area; a new message takes the next free id of its area here, never a
/// number written at the message.
/// </summary>
internal static class RelayLogEvents
{
    /// <summary>Information, from RelayServer.LogListening.</summary>
    public const int RelayServerListening = 3001;

    /// <summary>Warning, from RelayServer.LogEmbeddedNotStarted.</summary>
    public const int EmbeddedNotStarted = 3002;

    /// <summary>Information, from RelayServer.LogJoined.</summary>
    public const int Joined = 3003;

    /// <summary>Information, from RelayServer.LogLeft.</summary>
    public const int Left = 3004;

    /// <summary>Warning, from RelayServer.LogAcceptFailed.</summary>
    public const int AcceptFailed = 3007;

    /// <summary>Information, from RelayServer.LogCertificate.</summary>
    public const int Certificate = 3008;

    /// <summary>Warning, from RelayServer.LogPlain.</summary>
    public const int Plain = 3009;

    /// <summary>Warning, from Loop.LogNotStarted.</summary>
    public const int NotStarted = 3020;

    /// <summary>Information, from Loop.LogMoved.</summary>
    public const int Moved = 3021;

    /// <summary>Warning, from Loop.LogFailed.</summary>
    public const int Failed = 3022;

    /// <summary>Information, from RelayFabric.LogConnected.</summary>
    public const int Connected = 3030;

    /// <summary>Warning, from RelayFabric.LogDropped.</summary>
    public const int Dropped = 3031;

    /// <summary>Warning, from RelayFabric.LogSubscriptionEnded.</summary>
    public const int SubscriptionEnded = 3032;

    /// <summary>Warning, from RelayFabric.LogTickFailed.</summary>
    public const int TickFailed = 3033;

    /// <summary>Warning, from RelayFabric.LogDisconnected.</summary>
    public const int Disconnected = 3034;

    /// <summary>Information, from RelayFabric.LogReconnected.</summary>
    public const int Reconnected = 3035;

    /// <summary>Warning, from RelayFabric.LogRetagged.</summary>
    public const int Retagged = 3036;

    /// <summary>Warning, from ConnectionProblems.LogOne.</summary>
    public const int One = 3101;

    /// <summary>Warning, from ConnectionProblems.LogSummary.</summary>
    public const int Summary = 3102;

    /// <summary>Information, from RelayWebFront.LogListening.</summary>
    public const int RelayWebFrontListening = 3201;

    /// <summary>Error, from RelayWebFront.LogNotServing.</summary>
    public const int NotServing = 3202;

    /// <summary>Information, from JoinBuild.LogPacked.</summary>
    public const int BuildPacked = 3203;

    /// <summary>Information, from JoinBuild.LogReused.</summary>
    public const int BuildReused = 3204;

    /// <summary>Error, from JoinBuild.LogPackFailed.</summary>
    public const int BuildPackFailed = 3205;
}
