namespace S2cd.Wire;

internal enum PresenceEvent : byte
{
    Joined = 1,
    Changed = 2,
    Left = 3,
}
