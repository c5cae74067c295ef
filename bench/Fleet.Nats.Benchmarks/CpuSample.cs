namespace Fleet.Nats.Benchmarks;

/// <summary>Cumulative CPU times at one instant; the server's is null when the benchmark did not start it.</summary>
internal readonly record struct CpuSample(TimeSpan Bench, TimeSpan? Server);
