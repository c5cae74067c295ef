namespace Fleet.Nats.Benchmarks;

/// <summary>
/// CPU used during one run: by this process (<see cref="Environment.CpuUsage"/>, getrusage, microseconds) and by the
/// private nats-server (/proc, in 10 ms clock ticks, so short runs carry a few percent of rounding).
/// </summary>
internal sealed record CpuUsage(TimeSpan Bench, TimeSpan? Server);
