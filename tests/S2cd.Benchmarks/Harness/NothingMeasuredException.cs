namespace S2cd.Benchmarks.Harness;

/// <summary>
/// A round that measured nothing worth a figure: no audio carried (or under half of what was sent), no picture
/// received, a relay that forwarded nothing, a generator short of its load. The benchmark says so and exits non-zero
/// instead of printing figures of nothing.
/// </summary>
internal sealed class NothingMeasuredException(string reason) : Exception(reason);
