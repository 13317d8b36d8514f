namespace S2cAttach;

/// <summary>No daemon answers on the control socket; the message says how to start one.</summary>
internal sealed class DaemonUnreachableException(string message) : Exception(message);
