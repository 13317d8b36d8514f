namespace S2cd.Conference;

/// <summary>The relay refused the session or could not be reached.</summary>
internal sealed class ConferenceException(string message) : Exception(message);

/// <summary>Past a rate limit (chat messages, screen updates); the message says what the limit is and when to try again.</summary>
internal sealed class RateLimitException(string message) : Exception(message);
