namespace S2cAttach;

/// <summary>Exit codes of s2c-attach, for scripts.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
}
