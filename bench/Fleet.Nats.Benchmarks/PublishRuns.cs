using System.Diagnostics;

namespace Fleet.Nats.Benchmarks;

/// <summary>
/// Publish throughput, both sides timed the same way: from the first write to the PONG that answers a PING sent
/// after the last message, so the server has read and processed every message (nobody subscribes to the subject).
/// </summary>
internal static class PublishRuns
{
    public static async Task<RunResult> RawAsync(Uri server, CpuMeter cpu, string subject, int size, int count, CancellationToken cancellationToken)
    {
        using var raw = await RawNatsConnection.ConnectAsync(server, cancellationToken);
        var batch = ProtocolFrames.Batch(ProtocolFrames.Pub(subject, null, ProtocolFrames.Payload(size)), out var framesPerBatch);
        var frameLength = batch.Length / framesPerBatch;

        var cpuStart = cpu.Sample();
        var start = Stopwatch.GetTimestamp();
        for (var remaining = count; remaining > 0;)
        {
            var frames = Math.Min(remaining, framesPerBatch);
            await raw.SendAsync(batch.AsMemory(0, frames * frameLength), cancellationToken);
            remaining -= frames;
        }

        await raw.PingPongAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return new RunResult(count, elapsed, cpu.Since(cpuStart));
    }

    public static async Task<RunResult> ClientAsync(Uri server, CpuMeter cpu, string subject, int size, int count, CancellationToken cancellationToken)
    {
        await using var client = new NatsConnection(new NatsOptions { Servers = [server.ToString()], Name = "fleet-bench-publisher" });
        await client.ConnectAsync(cancellationToken);
        ReadOnlyMemory<byte> payload = ProtocolFrames.Payload(size);
        var thread = Environment.CurrentManagedThreadId;
        long asynchronous = 0;

        // Sampling the server's CPU reads /proc and allocates, so it comes before the allocation counters start.
        var cpuStart = cpu.Sample();
        var processBefore = GC.GetTotalAllocatedBytes(precise: true);
        var threadBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            // A completed pipe flush does not look at the token; Ctrl-C must still stop a long run.
            if ((i & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var publish = client.PublishAsync(subject, payload, cancellationToken: cancellationToken);
            if (!publish.IsCompletedSuccessfully)
            {
                asynchronous++;
            }

            await publish;
        }

        var enqueued = Stopwatch.GetElapsedTime(start);
        var threadAfter = GC.GetAllocatedBytesForCurrentThread();
        var sameThread = Environment.CurrentManagedThreadId == thread;
        await client.FlushAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var processAfter = GC.GetTotalAllocatedBytes(precise: true);

        var allocation = new AllocationSummary(
            asynchronous == 0 && sameThread ? (threadAfter - threadBefore) / (double)count : double.NaN,
            (processAfter - processBefore) / (double)count,
            asynchronous,
            enqueued);
        return new RunResult(count, elapsed, cpu.Since(cpuStart), Allocation: allocation);
    }
}
