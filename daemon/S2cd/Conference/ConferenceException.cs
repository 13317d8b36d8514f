namespace S2cd.Conference;

/// <summary>The relay refused the session or could not be reached.</summary>
internal sealed class ConferenceException(string message) : Exception(message);
