using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;

namespace Fleet.Nats.Benchmarks;

/// <summary>
/// Diagnostics, not a client: the raw publisher's frames pushed through a System.IO.Pipelines pipe and a write loop,
/// the architecture of Fleet.Nats, in variants that add one of the client's per-message costs at a time. Comparing
/// them with the raw baseline and the client shows where the client's time per message goes. Timed like
/// <see cref="PublishRuns"/>: first write to the PONG after the last message.
/// </summary>
internal static class PipePublishRuns
{
    public static async Task<RunResult> RunAsync(Uri server, CpuMeter cpu, string subject, int size, int count, PipeVariant variant, CancellationToken cancellationToken)
    {
        using var raw = await RawNatsConnection.ConnectAsync(server, cancellationToken);
        var frame = ProtocolFrames.Pub(subject, null, ProtocolFrames.Payload(size));
        var payloadStart = frame.Length - size - 2;

        // The client's pipe settings (NatsConnection.CreateOutboundPipe with the default 8 MiB reconnect buffer).
        const long Pause = (8L * 1024 * 1024) + (4L * 1024 * 1024);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: Pause, resumeWriterThreshold: Pause / 2, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false));
        using var writeLock = new SemaphoreSlim(1, 1);
        var writing = Task.Run(() => WriteLoopAsync(pipe.Reader, raw, cancellationToken), CancellationToken.None);

        var cpuStart = cpu.Sample();
        var start = Stopwatch.GetTimestamp();
        var writer = pipe.Writer;
        var unflushed = 0;
        for (var i = 0; i < count; i++)
        {
            if ((i & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            switch (variant)
            {
                case PipeVariant.FlushPerMessage:
                    writer.Write(frame);
                    await writer.FlushAsync(cancellationToken);
                    break;
                case PipeVariant.FlushPerMessageThreeAdvances:
                    writer.Write(frame.AsSpan(0, payloadStart));
                    writer.Write(frame.AsSpan(payloadStart, size));
                    writer.Write("\r\n"u8);
                    await writer.FlushAsync(cancellationToken);
                    break;
                case PipeVariant.FlushPerMessageLockedThreeAdvances:
                    if (!writeLock.Wait(0, CancellationToken.None))
                    {
                        await writeLock.WaitAsync(cancellationToken);
                    }

                    try
                    {
                        writer.Write(frame.AsSpan(0, payloadStart));
                        writer.Write(frame.AsSpan(payloadStart, size));
                        writer.Write("\r\n"u8);
                        await writer.FlushAsync(cancellationToken);
                    }
                    finally
                    {
                        writeLock.Release();
                    }

                    break;
                default:
                    writer.Write(frame);
                    unflushed += frame.Length;
                    if (unflushed >= ProtocolFrames.BatchBytes)
                    {
                        unflushed = 0;
                        await writer.FlushAsync(cancellationToken);
                    }

                    break;
            }
        }

        writer.Write("PING\r\n"u8);
        await writer.FlushAsync(cancellationToken);
        while ((await raw.ReadFrameAsync(cancellationToken)).Kind != RawFrameKind.Pong)
        {
            // Nothing else is expected: nobody subscribes.
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        await writer.CompleteAsync();
        await writing;
        return new RunResult(count, elapsed, cpu.Since(cpuStart));
    }

    private static async Task WriteLoopAsync(PipeReader reader, RawNatsConnection raw, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            foreach (var segment in result.Buffer)
            {
                await raw.SendAsync(segment, cancellationToken);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync();
                return;
            }
        }
    }
}
