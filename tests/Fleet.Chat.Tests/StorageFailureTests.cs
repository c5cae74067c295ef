using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

[Collection(ChatCollection.Name)]
public sealed class StorageFailureTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task FailedInsertAfterTheOffsetMovedGetsNoAckAndLeavesNothingHalfWritten()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var worker = await ChatWorker.StartAsync(db, nats);
        await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        await client.JoinAsync("fail", cts.Token);
        await client.WaitForAsync("history", cts.Token);
        await client.SendMessageAsync("fail", "ok-1", "stored", cts.Token);
        Assert.Equal(1, ChatClient.Number(await client.WaitForAsync("ack", cts.Token), "offset"));

        // A real server-side failure between the two writes: the offset UPDATE has run, the INSERT fails.
        var database = db.Split(';').Single(p => p.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];
        await using (var admin = new MySqlConnection(db))
        {
            await admin.OpenAsync(cts.Token);
            await admin.ExecuteAsync(
                "CREATE TRIGGER fail_boom BEFORE INSERT ON messages FOR EACH ROW " +
                "BEGIN IF NEW.body = 'boom' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom refused'; END IF; END");
        }

        await client.SendMessageAsync("fail", "boom-1", "boom", cts.Token);
        await AssertErrorWithoutAckAsync(client, "boom-1", cts.Token);

        await using (var connection = new MySqlConnection(db))
        {
            await connection.OpenAsync(cts.Token);
            Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT next_offset FROM rooms WHERE id = 'fail'"));
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE room_id = 'fail'"));
        }

        // The next message takes the offset the failed one never got: no hole.
        await client.SendMessageAsync("fail", "ok-2", "stored too", cts.Token);
        var ack = await client.WaitForAsync("ack", cts.Token);
        Assert.Equal(2, ChatClient.Number(ack, "offset"));
        Assert.Equal("ok-2", ChatClient.Text(ack, "clientMsgId"));
    }

    [Fact]
    public async Task SendWhileMySqlIsDownGetsAnErrorAndNoAck()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var dedicated = new MySqlFixture();
        await dedicated.InitializeAsync();
        try
        {
            var db = await dedicated.CreateDatabaseAsync("chat");
            await using var worker = await ChatWorker.StartAsync(db, nats);
            await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
            await client.JoinAsync("down", cts.Token);
            await client.WaitForAsync("history", cts.Token);
            await client.SendMessageAsync("down", "before", "stored", cts.Token);
            await client.WaitForAsync("ack", cts.Token);

            dedicated.Kill();
            await client.SendMessageAsync("down", "after", "lost?", cts.Token);
            await AssertErrorWithoutAckAsync(client, "after", cts.Token);
        }
        finally
        {
            await dedicated.DisposeAsync();
        }
    }

    /// <summary>
    /// Reads until the error for <paramref name="clientMsgId"/>, then sends a ping and reads until its pong: no ack
    /// for the message may appear anywhere in between, and the connection stays usable.
    /// </summary>
    private static async Task AssertErrorWithoutAckAsync(ChatClient client, string clientMsgId, CancellationToken cancellationToken)
    {
        var frames = new List<System.Text.Json.JsonElement>();
        System.Text.Json.JsonElement error;
        while (true)
        {
            var frame = (await client.ReceiveAsync(cancellationToken))!.Value;
            if (ChatClient.Text(frame, "type") == "error" && frame.TryGetProperty("clientMsgId", out var id) && id.GetString() == clientMsgId)
            {
                error = frame;
                break;
            }

            frames.Add(frame);
        }

        Assert.Equal("unavailable", ChatClient.Text(error, "code"));
        await client.SendAsync(new { type = "ping", v = 1 }, cancellationToken);
        while ((await client.ReceiveAsync(cancellationToken))!.Value is var frame && ChatClient.Text(frame, "type") != "pong")
        {
            frames.Add(frame);
        }

        Assert.DoesNotContain(frames, f => ChatClient.Text(f, "type") == "ack");
    }
}
