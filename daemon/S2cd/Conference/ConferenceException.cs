namespace S2cd.Conference;

/// <summary>The relay refused the session or could not be reached.</summary>
internal sealed class ConferenceException(string message) : Exception(message);

/// <summary>A chat message past its sender's limit; the message says when the next may go.</summary>
internal sealed class ChatLimitException(string message) : Exception(message);
