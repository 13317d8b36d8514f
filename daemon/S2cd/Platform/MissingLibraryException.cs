namespace S2cd.Platform;

/// <summary>A native library the daemon needs for a part did not load; the message says which and what to install.</summary>
internal sealed class MissingLibraryException(string message) : Exception(message);
