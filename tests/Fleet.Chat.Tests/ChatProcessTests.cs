using System.Net;
using System.Net.WebSockets;
using Fleet.Hosting;
using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

[Collection(ChatCollection.Name)]
public sealed class ChatProcessTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task StartsNotReadyWhileMySqlAndNatsAreUnreachable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var logs = new TempDirectory("chat-proc");
        var nowhere = FreeTcpPort.Next();
        using var chat = ChatProcess.Start(
            FreeTcpPort.Next(), $"nats://127.0.0.1:{nowhere}", $"Server=127.0.0.1;Port={nowhere};User ID=x;Password=y;Database=chat;SslMode=None", logs.Path);
        await chat.WaitForStatusAsync(FleetHealth.LivePath, HttpStatusCode.OK, cts.Token);
        using var ready = await chat.Http.GetAsync(FleetHealth.ReadyPath, cts.Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(0, await chat.TerminateAsync(cts.Token));
    }

    [Fact]
    public async Task SigtermClosesClientsWith1012AndExitsCleanly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var logs = new TempDirectory("chat-proc");
        using var chat = ChatProcess.Start(FreeTcpPort.Next(), nats.Url, await mysql.CreateDatabaseAsync("chat"), logs.Path, new Dictionary<string, string>
        {
            ["FLEET_DRAIN_DELAY"] = "00:00:01",
        });
        await chat.WaitForStatusAsync(FleetHealth.ReadyPath, HttpStatusCode.OK, cts.Token);
        await using var client = await ChatClient.ConnectAsync(chat.WebSocketUri, "1", cts.Token);
        await client.JoinAsync("proc", cts.Token);
        await client.WaitForAsync("history", cts.Token);
        await client.SendMessageAsync("proc", "c-1", "hi", cts.Token);
        await client.WaitForAsync("ack", cts.Token);

        var exit = chat.TerminateAsync(cts.Token);
        var (status, _, frames) = await client.ReadUntilClosedAsync(cts.Token);
        Assert.Equal((WebSocketCloseStatus)1012, status);
        Assert.Contains(frames, f => ChatClient.Text(f, "type") == "reconnect");
        Assert.Equal(0, await exit);
    }
}
