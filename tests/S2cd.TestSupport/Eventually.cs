namespace S2cd.Tests.Support;

/// <summary>Polls a condition until it holds or the deadline passes: for state that another process changes.</summary>
internal static class Eventually
{
    public static async Task<TimeSpan> TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await condition().ConfigureAwait(false))
            {
                return started.Elapsed;
            }

            if (started.Elapsed > within)
            {
                throw new Xunit.Sdk.XunitException($"{what}: not true within {within.TotalSeconds:0.#} s");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
