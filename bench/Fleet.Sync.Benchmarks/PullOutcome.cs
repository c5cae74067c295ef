namespace Fleet.Sync.Benchmarks;

/// <summary>What one pull run measured.</summary>
internal sealed record PullOutcome(IReadOnlyList<PageSample> Samples, TimeSpan Elapsed)
{
    public double ChangesPerSecond => Samples.Sum(s => s.Changes) / Elapsed.TotalSeconds;

    public double Percentile(double fraction, int? logThird = null) =>
        Percentiles.Of(Samples.Where(s => logThird is null || s.LogThird == logThird).Select(s => s.ElapsedTicks), fraction);
}
