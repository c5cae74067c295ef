namespace Fleet.Nats.Benchmarks;

/// <summary>
/// Bytes allocated per published message by the client: on the publishing thread during the publish loop
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>, meaningful only when every publish completed synchronously,
/// so the loop never left its thread), and by the whole process from the first publish to the flush's PONG
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, which includes the client's write loop).
/// <see cref="EnqueueElapsed"/> is the time until the last <c>PublishAsync</c> returned, before the flush: it separates
/// the publishing thread's cost per call from the time the write loop and the socket need to drain the buffer.
/// </summary>
internal sealed record AllocationSummary(double ThreadBytesPerMessage, double ProcessBytesPerMessage, long AsynchronousPublishes, TimeSpan EnqueueElapsed);
