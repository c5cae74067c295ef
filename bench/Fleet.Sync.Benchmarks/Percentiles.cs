using System.Diagnostics;

namespace Fleet.Sync.Benchmarks;

/// <summary>Nearest-rank percentiles of Stopwatch tick samples, in milliseconds.</summary>
internal static class Percentiles
{
    public static double Of(IEnumerable<long> ticks, double fraction)
    {
        var sorted = ticks.Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(fraction * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
