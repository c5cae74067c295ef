using System.Diagnostics;
using System.Text;

namespace Fleet.Nats.Benchmarks;

/// <summary>
/// Request/reply round trips. Each side has its own responder connection answering with a payload of the same size;
/// a round trip is timed from just before the request is written to the moment its reply is in the requester's hands.
/// The sequential variant has one request in flight; the concurrent one keeps <c>inFlight</c> outstanding.
/// </summary>
internal static class RequestReplyRuns
{
    private const string RawInbox = "_INBOX.rawbench.";

    private static readonly byte[] RawInboxBytes = Encoding.ASCII.GetBytes(RawInbox);

    public static async Task<RunResult> ClientAsync(
        Uri server, CpuMeter cpu, string subject, int size, int count, int inFlight, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> payload = ProtocolFrames.Payload(size);
        await using var responder = new NatsConnection(new NatsOptions { Servers = [server.ToString()], Name = "fleet-bench-responder" });
        await responder.ConnectAsync(cancellationToken);
        var subscription = await responder.SubscribeAsync(subject, cancellationToken: cancellationToken);
        await responder.FlushAsync(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var responding = Task.Run(() => RespondAsync(subscription, payload, stop.Token), CancellationToken.None);
        try
        {
            await using var requester = new NatsConnection(new NatsOptions { Servers = [server.ToString()], Name = "fleet-bench-requester" });
            await requester.ConnectAsync(cancellationToken);

            // The first request subscribes the shared inbox; that one-off SUB is not a round trip worth timing.
            await requester.RequestAsync(subject, payload, cancellationToken: cancellationToken);

            var latencies = new long[count];
            var next = -1;
            var cpuStart = cpu.Sample();
            var start = Stopwatch.GetTimestamp();
            var workers = new Task[Math.Min(inFlight, count)];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(
                    async () =>
                    {
                        for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                        {
                            var sent = Stopwatch.GetTimestamp();
                            await requester.RequestAsync(subject, payload, cancellationToken: cancellationToken);
                            latencies[i] = Stopwatch.GetTimestamp() - sent;
                        }
                    },
                    cancellationToken);
            }

            await Task.WhenAll(workers);
            var elapsed = Stopwatch.GetElapsedTime(start);
            var used = cpu.Since(cpuStart);
            return new RunResult(count, elapsed, used, LatencySummary.FromTicks(latencies));
        }
        finally
        {
            await stop.CancelAsync();
            await subscription.UnsubscribeAsync(CancellationToken.None);
            await responding;
        }
    }

    public static async Task<RunResult> RawAsync(
        Uri server, CpuMeter cpu, string subject, int size, int count, int inFlight, CancellationToken cancellationToken)
    {
        var payload = ProtocolFrames.Payload(size);
        using var responder = await RawNatsConnection.ConnectAsync(server, cancellationToken);
        await responder.SendAsync(ProtocolFrames.Sub(subject, 1), cancellationToken);
        await responder.PingPongAsync(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var responding = Task.Run(() => RawRespondAsync(responder, payload, stop.Token), CancellationToken.None);
        try
        {
            using var requester = await RawNatsConnection.ConnectAsync(server, cancellationToken);
            await requester.SendAsync(ProtocolFrames.Sub(RawInbox + "*", 1), cancellationToken);
            await requester.PingPongAsync(cancellationToken);

            // Pre-built frames, one per request, so the timed loop only sends and parses.
            var requests = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                requests[i] = ProtocolFrames.Pub(subject, RawInbox + i.ToString(System.Globalization.CultureInfo.InvariantCulture), payload);
            }

            var sentAt = new long[count];
            var latencies = new long[count];
            var window = Math.Min(inFlight, count);
            var outgoing = new byte[window * requests[^1].Length];
            var nextToSend = 0;
            var received = 0;
            var cpuStart = cpu.Sample();
            var start = Stopwatch.GetTimestamp();
            nextToSend = await SendRequestsAsync(requester, requests, sentAt, nextToSend, window, outgoing, cancellationToken);
            while (received < count)
            {
                var frame = await requester.ReadFrameAsync(cancellationToken);
                var replies = 0;
                do
                {
                    if (frame.Kind != RawFrameKind.Msg)
                    {
                        continue;
                    }

                    var index = ParseToken(frame.Subject.Span);
                    latencies[index] = Stopwatch.GetTimestamp() - sentAt[index];
                    received++;
                    replies++;
                }
                while (requester.TryReadFrame(out frame));

                // Refill the window with one request per reply, in one write.
                nextToSend = await SendRequestsAsync(requester, requests, sentAt, nextToSend, Math.Min(replies, count - nextToSend), outgoing, cancellationToken);
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var used = cpu.Since(cpuStart);
            return new RunResult(count, elapsed, used, LatencySummary.FromTicks(latencies));
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await responding;
            }
            catch (OperationCanceledException)
            {
                // The stop signal above.
            }
        }
    }

    private static async Task RespondAsync(NatsSubscription subscription, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            var reader = subscription.Msgs;
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var msg))
                {
                    await msg.ReplyAsync(payload, cancellationToken: cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private static async Task RawRespondAsync(RawNatsConnection responder, byte[] payload, CancellationToken cancellationToken)
    {
        var outgoing = new byte[1024 * 1024];
        while (true)
        {
            var frame = await responder.ReadFrameAsync(cancellationToken);
            var length = 0;
            do
            {
                if (frame.Kind != RawFrameKind.Msg || frame.ReplyTo.IsEmpty)
                {
                    continue;
                }

                // PUB <reply-to> <len>\r\n<payload>\r\n, answering every request received in this read with one write.
                var span = outgoing.AsSpan(length);
                "PUB "u8.CopyTo(span);
                var position = 4;
                frame.ReplyTo.Span.CopyTo(span[position..]);
                position += frame.ReplyTo.Length;
                span[position++] = (byte)' ';
                payload.Length.TryFormat(span[position..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
                position += digits;
                "\r\n"u8.CopyTo(span[position..]);
                position += 2;
                payload.CopyTo(span[position..]);
                position += payload.Length;
                "\r\n"u8.CopyTo(span[position..]);
                length += position + 2;
            }
            while (length < outgoing.Length - (64 * 1024) - 512 && responder.TryReadFrame(out frame));

            await responder.SendAsync(outgoing.AsMemory(0, length), cancellationToken);
        }
    }

    private static async ValueTask<int> SendRequestsAsync(
        RawNatsConnection requester, byte[][] requests, long[] sentAt, int next, int howMany, byte[] outgoing, CancellationToken cancellationToken)
    {
        var length = 0;
        var first = next;
        for (var i = 0; i < howMany; i++, next++)
        {
            requests[next].CopyTo(outgoing, length);
            length += requests[next].Length;
        }

        if (length == 0)
        {
            return next;
        }

        var now = Stopwatch.GetTimestamp();
        for (var i = first; i < next; i++)
        {
            sentAt[i] = now;
        }

        await requester.SendAsync(outgoing.AsMemory(0, length), cancellationToken);
        return next;
    }

    private static int ParseToken(ReadOnlySpan<byte> subject)
    {
        if (!subject.StartsWith(RawInboxBytes) ||
            !System.Buffers.Text.Utf8Parser.TryParse(subject[RawInbox.Length..], out int index, out var consumed) ||
            consumed != subject.Length - RawInbox.Length)
        {
            throw new InvalidOperationException($"Unexpected reply subject '{Encoding.ASCII.GetString(subject)}'.");
        }

        return index;
    }
}
