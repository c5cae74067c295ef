using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Fleet.Chat.Tests;

[Collection(ChatCollection.Name)]
public sealed class LimitTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task UpgradeWithoutAValidTokenIsRefusedWith401()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats);
        foreach (var token in new[] { null, Hs256TestTokens.Create("1", key: "another-key-that-is-long-enough-0123456789"), Hs256TestTokens.Create("1", lifetime: TimeSpan.FromMinutes(-5)) })
        {
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            if (token is not null)
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            }

            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(worker.WebSocketUri, cts.Token));
            Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        }
    }

    [Fact]
    public async Task ConnectionsOverTheInstanceCapAreRefusedWith503Problem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats, new Dictionary<string, string?> { ["Chat:MaxConnections"] = "2" });
        await using var one = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        await using var two = await ChatClient.ConnectAsync(worker.WebSocketUri, "2", cts.Token);
        using var third = new ClientWebSocket();
        third.Options.CollectHttpResponseDetails = true;
        third.Options.SetRequestHeader("Authorization", "Bearer " + Hs256TestTokens.Create("3"));
        await Assert.ThrowsAsync<WebSocketException>(() => third.ConnectAsync(worker.WebSocketUri, cts.Token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.HttpStatusCode);
        Assert.True(third.HttpResponseHeaders!.ContainsKey("Retry-After"));

        // A slot frees when a client leaves.
        await one.DisposeAsync();
        await WaitUntilAsync(() => ((ConnectionRegistry)worker.App.Services.GetService(typeof(ConnectionRegistry))!).Count == 1, cts.Token);
        await using var fourth = await ChatClient.ConnectAsync(worker.WebSocketUri, "4", cts.Token);
    }

    [Fact]
    public async Task FrameOverTheSizeLimitClosesWith1009()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats, new Dictionary<string, string?> { ["Chat:MaxFrameBytes"] = "1024" });
        await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        await client.SendAsync(new { type = "ping", v = 1, padding = new string('x', 900) }, cts.Token);
        Assert.Equal("pong", ChatClient.Text((await client.ReceiveAsync(cts.Token))!.Value, "type"));
        await client.SendAsync(new { type = "ping", v = 1, padding = new string('x', 1100) }, cts.Token);
        var (status, reason, _) = await client.ReadUntilClosedAsync(cts.Token);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        Assert.Contains("1024", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FramesOverTheRateGetRateLimitedErrors()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats, new Dictionary<string, string?>
        {
            ["Chat:MessagesPerSecond"] = "0.1",
            ["Chat:MessageBurst"] = "3",
        });
        await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(new { type = "ping", v = 1 }, cts.Token);
        }

        var types = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var frame = (await client.ReceiveAsync(cts.Token))!.Value;
            types.Add(ChatClient.Text(frame, "type") == "error" ? ChatClient.Text(frame, "code") : ChatClient.Text(frame, "type"));
        }

        // Refill is one frame per ten seconds, so at most one more than the burst can pass.
        Assert.InRange(types.Count(t => t == "pong"), 3, 4);
        Assert.Contains("rate_limited", types);
    }

    [Fact]
    public async Task JoiningMoreRoomsThanAllowedGetsAnError()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats, new Dictionary<string, string?> { ["Chat:MaxRoomsPerConnection"] = "2" });
        await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        await client.JoinAsync("r1", cts.Token);
        await client.WaitForAsync("history", cts.Token);
        await client.JoinAsync("r2", cts.Token);
        await client.WaitForAsync("history", cts.Token);
        await client.JoinAsync("r3", cts.Token);
        var error = await client.WaitForAsync("error", cts.Token);
        Assert.Equal("too_many_rooms", ChatClient.Text(error, "code"));
        Assert.Equal("r3", ChatClient.Text(error, "room"));
    }

    [Fact]
    public async Task SilentClientIsClosedAfterTheIdleTimeout()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats, new Dictionary<string, string?> { ["Chat:IdleTimeout"] = "00:00:01" });
        await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        var (status, reason, _) = await client.ReadUntilClosedAsync(cts.Token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Contains("idle timeout", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowReaderIsDisconnectedWhileOthersKeepReceiving()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats, new Dictionary<string, string?>
        {
            ["Chat:SendQueueCapacity"] = "16",
            ["Chat:MaxFrameBytes"] = "65536",
            ["Chat:MaxBodyLength"] = "20000",
            ["Chat:MessagesPerSecond"] = "1000",
            ["Chat:MessageBurst"] = "1000",
            ["Chat:SlowClientCloseTimeout"] = "00:01:00",
        },
        configure: builder => builder.WebHost
            .UseSockets(sockets => sockets.CreateBoundListenSocket = endpoint =>
            {
                // A constrained path: small kernel and Kestrel buffers, so a reader that takes nothing backs up
                // into the worker's own queue after a few frames rather than after megabytes.
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = 4096;
                return socket;
            })
            .ConfigureKestrel(kestrel => kestrel.Limits.MaxResponseBufferSize = 4096));
        await using var slow = await ChatClient.ConnectAsync(worker.WebSocketUri, "slow", cts.Token, receiveBufferBytes: 4096);
        await using var fast = await ChatClient.ConnectAsync(worker.WebSocketUri, "fast", cts.Token);
        await slow.JoinAsync("busy", cts.Token);
        await slow.WaitForAsync("history", cts.Token);
        await fast.JoinAsync("busy", cts.Token);
        await fast.WaitForAsync("history", cts.Token);

        // ~0.5 MB for a reader that takes nothing: far more than its queue, Kestrel's buffer and the socket buffers.
        const int Count = 40;
        var body = new string('y', 12_000);
        var offsets = new List<long>();
        for (var i = 0; i < Count; i++)
        {
            // The fast reader paces itself on its own deliveries; the slow one never reads.
            await fast.SendMessageAsync("busy", $"m-{i}", body, cts.Token);
            offsets.Add(ChatClient.Number(await fast.WaitForAsync("message", cts.Token), "offset"));
        }

        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), offsets);

        var (status, reason, frames) = await slow.ReadUntilClosedAsync(cts.Token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Contains("slow consumer", reason, StringComparison.Ordinal);
        Assert.True(frames.Count(f => ChatClient.Text(f, "type") == "message") < Count);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    internal static string TypeOf(JsonElement frame) => ChatClient.Text(frame, "type");
}
