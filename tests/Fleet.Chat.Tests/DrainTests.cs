using System.Net;
using System.Net.WebSockets;
using Fleet.Hosting;
using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

[Collection(ChatCollection.Name)]
public sealed class DrainTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task DrainClosesClientsWith1012AndAJitteredReconnectHintAndRefusesNewUpgrades()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var worker = await ChatWorker.StartAsync(await mysql.CreateDatabaseAsync("chat"), nats, new Dictionary<string, string?>
        {
            ["Fleet:DrainDelay"] = "00:00:05",
            ["Fleet:ShutdownTimeout"] = "00:00:15",
            ["Chat:ReconnectJitter"] = "00:00:02",
        });
        await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        await client.JoinAsync("drain", cts.Token);
        await client.WaitForAsync("history", cts.Token);

        // What SIGTERM does: the host stops, and its first step is the drain.
        var stopping = worker.StopAsync();
        var (status, reason, frames) = await client.ReadUntilClosedAsync(cts.Token);
        Assert.Equal((WebSocketCloseStatus)1012, status);
        Assert.Equal("server restarting", reason);
        var hint = Assert.Single(frames, f => ChatClient.Text(f, "type") == "reconnect");
        Assert.InRange(ChatClient.Number(hint, "retryAfterMs"), 0, 2000);

        // Still inside the drain delay: not ready, and new upgrades are refused.
        using var ready = await worker.Http.GetAsync(FleetHealth.ReadyPath, cts.Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var late = new ClientWebSocket();
        late.Options.CollectHttpResponseDetails = true;
        late.Options.SetRequestHeader("Authorization", "Bearer " + Hs256TestTokens.Create("2"));
        await Assert.ThrowsAsync<WebSocketException>(() => late.ConnectAsync(worker.WebSocketUri, cts.Token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, late.HttpStatusCode);

        await stopping.WaitAsync(cts.Token);
    }
}
