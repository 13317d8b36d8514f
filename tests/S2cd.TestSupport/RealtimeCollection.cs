namespace S2cd.Tests.Support;

/// <summary>
/// Tests that check real-time audio (gaps of a few milliseconds) run on their own, not beside the rest of
/// the suite: on a 2-core machine a parallel build of load would stall the audio rig's clock, not the daemon.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealtimeCollection
{
    public const string Name = "Real-time audio";
}
