using System.Buffers.Binary;
using System.Diagnostics;
using Fleet.Nats;

namespace Fleet.Chat.Benchmarks;

/// <summary>
/// The limit: the same clients, rooms and message size straight on NATS. Two connections stand for the two
/// instances; every client has its own subscription to its room's subject and keeps one message in flight
/// (publish, wait until its own copy comes back), as the chat clients wait for their ack.
/// </summary>
public static class RawNatsRun
{
    public static async Task<RunResult> RunAsync(string url, int clients, int roomSize, int perClient, int bodyBytes, CancellationToken cancellationToken)
    {
        await using var a = new NatsConnection(new NatsOptions { Servers = [url], SubscriptionCapacity = 100_000 });
        await using var b = new NatsConnection(new NatsOptions { Servers = [url], SubscriptionCapacity = 100_000 });
        await a.ConnectAsync(cancellationToken);
        await b.ConnectAsync(cancellationToken);
        NatsConnection[] connections = [a, b];
        var prefix = "rawbench." + Guid.NewGuid().ToString("N")[..8];
        var own = new SemaphoreSlim[clients];
        var latencies = new List<double>[clients];
        long delivered = 0;
        var expected = (long)clients * perClient * roomSize;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readers = new List<Task>();
        for (var i = 0; i < clients; i++)
        {
            own[i] = new SemaphoreSlim(0);
            latencies[i] = [];
            var subscription = await connections[i % 2].SubscribeAsync($"{prefix}.room{i / roomSize}", cancellationToken: cancellationToken);
            var me = i;
            readers.Add(Task.Run(async () =>
            {
                await foreach (var msg in subscription.ReadAllAsync(cancellationToken))
                {
                    var now = Stopwatch.GetTimestamp();
                    var sent = BinaryPrimitives.ReadInt64LittleEndian(msg.Data.Span);
                    var sender = BinaryPrimitives.ReadInt32LittleEndian(msg.Data.Span[8..]);
                    latencies[me].Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                    if (sender == me)
                    {
                        own[me].Release();
                    }

                    if (Interlocked.Increment(ref delivered) == expected)
                    {
                        done.TrySetResult();
                        return;
                    }
                }
            }, cancellationToken));
        }

        await a.FlushAsync(cancellationToken);
        await b.FlushAsync(cancellationToken);
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            var payload = new byte[Math.Max(12, bodyBytes)];
            for (var m = 0; m < perClient; m++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
                BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), i);
                await connections[i % 2].PublishAsync($"{prefix}.room{i / roomSize}", payload, cancellationToken: cancellationToken);
                await own[i].WaitAsync(cancellationToken);
            }
        }, cancellationToken)));
        await done.Task.WaitAsync(cancellationToken);
        return new RunResult(delivered, Stopwatch.GetElapsedTime(start), latencies.SelectMany(l => l).ToList());
    }
}
