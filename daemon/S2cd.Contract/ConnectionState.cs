namespace S2cd.Contract;

/// <summary>The state of the daemon's link to its relay.</summary>
public enum ConnectionState
{
    /// <summary>Not in a session.</summary>
    Idle,

    /// <summary>Connecting to the relay for the first time.</summary>
    Connecting,

    /// <summary>In the session.</summary>
    Connected,

    /// <summary>The link was lost; the daemon is reconnecting by itself.</summary>
    Reconnecting,

    /// <summary>The relay refused the session; the reason says why. The daemon does not retry.</summary>
    Failed,
}
