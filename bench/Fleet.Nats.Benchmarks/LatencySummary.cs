using System.Diagnostics;

namespace Fleet.Nats.Benchmarks;

/// <summary>Round-trip latency percentiles of one run, in microseconds.</summary>
internal sealed record LatencySummary(double P50Microseconds, double P99Microseconds, double MaxMicroseconds)
{
    /// <summary>Summarises Stopwatch-tick latencies; sorts <paramref name="ticks"/> in place.</summary>
    public static LatencySummary FromTicks(long[] ticks)
    {
        Array.Sort(ticks);
        return new LatencySummary(Percentile(ticks, 0.50), Percentile(ticks, 0.99), ToMicroseconds(ticks[^1]));
    }

    // Nearest rank: the smallest value with at least p of the samples at or below it.
    private static double Percentile(long[] sorted, double p) =>
        ToMicroseconds(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)]);

    private static double ToMicroseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
