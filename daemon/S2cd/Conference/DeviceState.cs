namespace S2cd.Conference;

/// <summary>
/// A device's state as its service reports it: the condition, what is open (<see cref="Detail"/> when on), or why
/// not (when unavailable or disabled) and how often it is retried. <see cref="StatusText"/> turns it into words.
/// </summary>
internal sealed record DeviceState(DeviceCondition Condition, string? Detail = null, TimeSpan? RetryEvery = null)
{
    public static DeviceState Off { get; } = new(DeviceCondition.Off);

    public static DeviceState On(string what) => new(DeviceCondition.On, what);

    public static DeviceState Unavailable(string reason, TimeSpan retryEvery) => new(DeviceCondition.Unavailable, reason, retryEvery);

    public static DeviceState Disabled(string why) => new(DeviceCondition.Disabled, why);
}
