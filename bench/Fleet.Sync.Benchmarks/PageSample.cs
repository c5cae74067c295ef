namespace Fleet.Sync.Benchmarks;

/// <summary>One page: its latency in Stopwatch ticks, the third of the log its cursor was in (0 start, 1 middle, 2 end) and its changes.</summary>
internal readonly record struct PageSample(long ElapsedTicks, int LogThird, int Changes);
