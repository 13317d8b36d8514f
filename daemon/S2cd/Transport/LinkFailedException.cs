namespace S2cd.Transport;

/// <summary>
/// A link could not join: the relay refused or presented another certificate (<see cref="Final"/>: trying again
/// cannot help), or it cannot be reached.
/// </summary>
internal sealed class LinkFailedException(string message, bool final) : Exception(message)
{
    public bool Final { get; } = final;
}
