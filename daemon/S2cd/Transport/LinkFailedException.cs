namespace S2cd.Transport;

/// <summary>A link could not join: the relay refused, cannot be reached, or presented another certificate.</summary>
internal sealed class LinkFailedException(string message) : Exception(message);
