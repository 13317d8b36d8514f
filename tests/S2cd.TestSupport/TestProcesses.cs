using System.Diagnostics;

namespace S2cd.Tests.Support;

/// <summary>
/// Ends a process the running test started when that test is cancelled: a test that runs past its Timeout (xunit.v3
/// cancels <see cref="TestContext.Current"/>'s token) takes its daemons, servers and clients with it instead of leaving
/// them running into later tests. Outside a test (the benchmarks) the token never fires.
/// </summary>
public static class TestProcesses
{
    /// <summary>Kills <paramref name="process"/> and its children when the current test is cancelled; dispose the result once the process is ended anyway.</summary>
    public static CancellationTokenRegistration EndWithTest(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return TestContext.Current.CancellationToken.Register(static state =>
        {
            var process = (Process)state!;
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Ended (or disposed) in the meantime: nothing left to stop.
            }
        }, process);
    }
}
