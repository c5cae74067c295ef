using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.TestUtilities;

namespace Fleet.Chat.Benchmarks;

/// <summary>
/// Closed model: every client keeps one message in flight (send, wait for its ack), clients alternate between the
/// two instances, and every room has members on both. The body carries the send timestamp.
/// </summary>
public static class ChatRun
{
    public static async Task<RunResult> RunAsync(WorkerProcess[] workers, int clients, int roomSize, int perClient, int bodyBytes, CancellationToken cancellationToken)
    {
        var sockets = new ClientWebSocket[clients];
        var acks = new SemaphoreSlim[clients];
        var latencies = new List<double>[clients];
        long delivered = 0;
        var expected = (long)clients * perClient * roomSize;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < clients; i++)
        {
            sockets[i] = await ConnectAsync(workers[i % workers.Length].WebSocketUri, $"u{i}", cancellationToken);
            acks[i] = new SemaphoreSlim(0);
            latencies[i] = [];
            await SendAsync(sockets[i], new { type = "join", v = 1, room = Room(i, roomSize) }, cancellationToken);
        }

        var joined = new CountdownEvent(clients);
        var readers = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (sockets[i].State == WebSocketState.Open)
            {
                var result = await sockets[i].ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                switch (frame.RootElement.GetProperty("type").GetString())
                {
                    case "history":
                        joined.Signal();
                        break;
                    case "ack":
                        acks[i].Release();
                        break;
                    case "message":
                        var body = frame.RootElement.GetProperty("body").GetString()!;
                        var sent = long.Parse(body.AsSpan(0, body.IndexOf('|', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                        latencies[i].Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                        if (Interlocked.Increment(ref delivered) == expected)
                        {
                            done.TrySetResult();
                        }

                        break;
                }
            }
        }, cancellationToken)).ToList();
        joined.Wait(cancellationToken);

        // Presence frames of the joins settle before the clock starts.
        await Task.Delay(1000, cancellationToken);
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            for (var m = 0; m < perClient; m++)
            {
                var stamp = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + "|";
                var body = stamp + new string('x', Math.Max(0, bodyBytes - stamp.Length));
                await SendAsync(sockets[i], new { type = "send", v = 1, room = Room(i, roomSize), clientMsgId = $"c{m}", body }, cancellationToken);
                await acks[i].WaitAsync(cancellationToken);
            }
        }, cancellationToken)));
        await done.Task.WaitAsync(cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(start);
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        return new RunResult(delivered, elapsed, latencies.SelectMany(l => l).ToList());
    }

    public static async Task<ClientWebSocket> ConnectAsync(Uri uri, string user, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Token(user));
        await socket.ConnectAsync(uri, cancellationToken);
        return socket;
    }

    private static string Room(int client, int roomSize) => $"room{client / roomSize}";

    private static Task SendAsync(ClientWebSocket socket, object frame, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame), WebSocketMessageType.Text, true, cancellationToken);

    private static string Token(string subject) => Hs256TestTokens.Create(subject, key: WorkerProcess.JwtKey);
}
