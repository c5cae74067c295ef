namespace Fleet.Nats.Benchmarks;

/// <summary>
/// Bytes allocated per published message by the client: on the publishing thread during the publish loop
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>, meaningful only when every publish completed synchronously,
/// so the loop never left its thread), and by the whole process from the first publish to the flush's PONG
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, which includes the client's write loop).
/// </summary>
internal sealed record AllocationSummary(double ThreadBytesPerMessage, double ProcessBytesPerMessage, long AsynchronousPublishes);
