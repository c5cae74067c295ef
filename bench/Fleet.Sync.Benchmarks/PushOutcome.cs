namespace Fleet.Sync.Benchmarks;

/// <summary>What one push run measured: per-batch latencies in Stopwatch ticks, mutations applied, wall time.</summary>
internal sealed record PushOutcome(IReadOnlyList<long> BatchTicks, int Mutations, TimeSpan Elapsed)
{
    public double MutationsPerSecond => Mutations / Elapsed.TotalSeconds;

    public double Percentile(double fraction) => Percentiles.Of(BatchTicks, fraction);
}
