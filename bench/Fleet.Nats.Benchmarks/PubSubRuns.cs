using System.Diagnostics;

namespace Fleet.Nats.Benchmarks;

/// <summary>
/// Publish-to-subscribe throughput: one publishing and one subscribing connection per side, timed from the first
/// publish to the last message in the subscriber's hands. The raw publisher is the same batched writer as the
/// publish baseline; the client's subscription waits instead of dropping, so every message has to arrive.
/// </summary>
internal static class PubSubRuns
{
    public static async Task<RunResult> RawAsync(Uri server, CpuMeter cpu, string subject, int size, int count, CancellationToken cancellationToken)
    {
        using var subscriber = await RawNatsConnection.ConnectAsync(server, cancellationToken);
        await subscriber.SendAsync(ProtocolFrames.Sub(subject, 1), cancellationToken);
        await subscriber.PingPongAsync(cancellationToken);
        using var publisher = await RawNatsConnection.ConnectAsync(server, cancellationToken);
        var batch = ProtocolFrames.Batch(ProtocolFrames.Pub(subject, null, ProtocolFrames.Payload(size)), out var framesPerBatch);
        var frameLength = batch.Length / framesPerBatch;

        var cpuStart = cpu.Sample();
        var start = Stopwatch.GetTimestamp();
        var receiving = Task.Run(
            async () =>
            {
                var received = 0;
                while (received < count)
                {
                    var frame = await subscriber.ReadFrameAsync(cancellationToken);
                    do
                    {
                        if (frame.Kind == RawFrameKind.Msg)
                        {
                            received++;
                        }
                    }
                    while (subscriber.TryReadFrame(out frame));
                }
            },
            cancellationToken);
        for (var remaining = count; remaining > 0;)
        {
            var frames = Math.Min(remaining, framesPerBatch);
            await publisher.SendAsync(batch.AsMemory(0, frames * frameLength), cancellationToken);
            remaining -= frames;
        }

        await receiving;
        var elapsed = Stopwatch.GetElapsedTime(start);
        return new RunResult(count, elapsed, cpu.Since(cpuStart));
    }

    public static async Task<RunResult> ClientAsync(Uri server, CpuMeter cpu, string subject, int size, int count, CancellationToken cancellationToken)
    {
        await using var subscriber = new NatsConnection(new NatsOptions
        {
            Servers = [server.ToString()],
            Name = "fleet-bench-subscriber",
            SlowConsumerPolicy = NatsSlowConsumerPolicy.Wait,
        });
        await subscriber.ConnectAsync(cancellationToken);
        var subscription = await subscriber.SubscribeAsync(subject, cancellationToken: cancellationToken);
        await subscriber.FlushAsync(cancellationToken);
        await using var publisher = new NatsConnection(new NatsOptions { Servers = [server.ToString()], Name = "fleet-bench-publisher" });
        await publisher.ConnectAsync(cancellationToken);
        ReadOnlyMemory<byte> payload = ProtocolFrames.Payload(size);

        var cpuStart = cpu.Sample();
        var processBefore = GC.GetTotalAllocatedBytes(precise: true);
        long asynchronous = 0;
        var start = Stopwatch.GetTimestamp();
        var receiving = Task.Run(
            async () =>
            {
                var received = 0;
                var reader = subscription.Msgs;
                while (received < count && await reader.WaitToReadAsync(cancellationToken))
                {
                    while (received < count && reader.TryRead(out _))
                    {
                        received++;
                    }
                }

                return received;
            },
            cancellationToken);
        for (var i = 0; i < count; i++)
        {
            // A completed pipe flush does not look at the token; Ctrl-C must still stop a long run.
            if ((i & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var publish = publisher.PublishAsync(subject, payload, cancellationToken: cancellationToken);
            if (!publish.IsCompletedSuccessfully)
            {
                asynchronous++;
            }

            await publish;
        }

        var enqueued = Stopwatch.GetElapsedTime(start);
        var received = await receiving;
        var elapsed = Stopwatch.GetElapsedTime(start);
        var processAfter = GC.GetTotalAllocatedBytes(precise: true);
        var used = cpu.Since(cpuStart);
        await subscription.UnsubscribeAsync(cancellationToken);
        if (received < count)
        {
            throw new InvalidOperationException($"The client subscriber got {received} of {count} messages before its subscription ended.");
        }

        // Both connections run in this process, so the figure covers publishing and receiving; the publishing loop
        // changes threads whenever the reader is slower, so there is no meaningful per-thread figure.
        var allocation = new AllocationSummary(double.NaN, (processAfter - processBefore) / (double)count, asynchronous, enqueued);
        return new RunResult(count, elapsed, used, Allocation: allocation);
    }
}
