namespace S2cd.Wire;

/// <summary>A member of a session as the relay describes it.</summary>
internal readonly record struct WireMember(uint Id, MemberFlags Flags, string Name);
