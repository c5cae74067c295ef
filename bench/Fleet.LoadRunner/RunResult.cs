namespace Fleet.LoadRunner;

/// <summary>The outcome of one load run.</summary>
/// <param name="Name">Scenario name, with a target suffix for baselines.</param>
/// <param name="Target">Base URL the load went to.</param>
/// <param name="Model">The load model used.</param>
/// <param name="Metrics">Measured window.</param>
/// <param name="MeasuredTime">From the end of the warm-up to the last measured completion (at least the duration when it ran out).</param>
/// <param name="WarmUpRequests">Requests sent during the warm-up (not in the metrics).</param>
public sealed record RunResult(string Name, string Target, LoadModel Model, MetricsSnapshot Metrics, TimeSpan MeasuredTime, long WarmUpRequests)
{
    /// <summary>Completed measured requests per second.</summary>
    public double Throughput => MeasuredTime > TimeSpan.Zero ? Metrics.Latency.Count / MeasuredTime.TotalSeconds : 0;

    /// <summary>Successful measured requests per second.</summary>
    public double SuccessThroughput => MeasuredTime > TimeSpan.Zero ? (Metrics.Latency.Count - Metrics.ErrorCount) / MeasuredTime.TotalSeconds : 0;
}
