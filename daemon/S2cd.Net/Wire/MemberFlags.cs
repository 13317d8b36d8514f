namespace S2cd.Wire;

[Flags]
internal enum MemberFlags : byte
{
    None = 0,
    Muted = 1,
    CameraOn = 2,
}
