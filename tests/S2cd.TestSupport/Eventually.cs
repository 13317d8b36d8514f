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

    /// <summary>Polls until <paramref name="value"/> gives something (not null), and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> value, TimeSpan within, string what)
        where T : class
    {
        T? found = null;
        await TrueAsync(async () => (found = await value().ConfigureAwait(false)) is not null, within, what).ConfigureAwait(false);
        return found!;
    }
}
