namespace Fleet.Chat.Benchmarks;

/// <summary>Delivered messages, elapsed time and send-to-receive latencies (ms) of one run.</summary>
public sealed record RunResult(long Delivered, TimeSpan Elapsed, List<double> Latencies)
{
    public double Rate => Delivered / Elapsed.TotalSeconds;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    private double Percentile(double p)
    {
        var sorted = Latencies.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}
