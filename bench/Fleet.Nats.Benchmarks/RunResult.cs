namespace Fleet.Nats.Benchmarks;

/// <summary>One measured run: one side (raw or client) of one scenario in one round.</summary>
internal sealed record RunResult(long Count, TimeSpan Elapsed, CpuUsage Cpu, LatencySummary? Latency = null, AllocationSummary? Allocation = null)
{
    /// <summary>Messages (or round trips) per second.</summary>
    public double Rate => Count / Elapsed.TotalSeconds;
}
