using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

[Collection(ChatCollection.Name)]
public sealed class ChatRelayTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task ClientsOnTwoInstancesReceiveEachOthersMessagesInOffsetOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var first = await ChatWorker.StartAsync(db, nats);
        await using var second = await ChatWorker.StartAsync(db, nats);
        await using var alice = await ChatClient.ConnectAsync(first.WebSocketUri, "1", cts.Token);
        await using var bob = await ChatClient.ConnectAsync(second.WebSocketUri, "2", cts.Token, tokenInQuery: true);
        await alice.JoinAsync("lobby", cts.Token);
        await alice.WaitForAsync("history", cts.Token);
        await bob.JoinAsync("lobby", cts.Token);
        await bob.WaitForAsync("history", cts.Token);

        const int PerClient = 15;
        var aliceSends = Task.Run(() => SendManyAsync(alice, "lobby", "a", PerClient, false, cts.Token));
        var bobSends = Task.Run(() => SendManyAsync(bob, "lobby", "b", PerClient, false, cts.Token));
        var aliceSees = Task.Run(() => ReadMessagesAsync(alice, 2 * PerClient, cts.Token));
        var bobSees = Task.Run(() => ReadMessagesAsync(bob, 2 * PerClient, cts.Token));
        await Task.WhenAll(aliceSends, bobSends);

        foreach (var seen in new[] { await aliceSees, await bobSees })
        {
            Assert.Equal(Enumerable.Range(1, 2 * PerClient).Select(i => (long)i), seen.Select(m => ChatClient.Number(m, "offset")));
            Assert.Equal(PerClient, seen.Count(m => ChatClient.Text(m, "sender") == "1"));
            Assert.Equal(PerClient, seen.Count(m => ChatClient.Text(m, "sender") == "2"));
        }

        // Each sender's own messages keep its send order.
        var aliceBodies = (await bobSees).Where(m => ChatClient.Text(m, "sender") == "1").Select(m => ChatClient.Text(m, "body"));
        Assert.Equal(Enumerable.Range(0, PerClient).Select(i => $"a{i}"), aliceBodies);
    }

    [Fact]
    public async Task ResumeReturnsExactlyTheMissedMessages()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var first = await ChatWorker.StartAsync(db, nats);
        await using var second = await ChatWorker.StartAsync(db, nats);
        await using var sender = await ChatClient.ConnectAsync(first.WebSocketUri, "1", cts.Token);
        await sender.JoinAsync("resume", cts.Token);
        await sender.WaitForAsync("history", cts.Token);

        string epoch;
        await using (var reader = await ChatClient.ConnectAsync(second.WebSocketUri, "2", cts.Token))
        {
            await reader.JoinAsync("resume", cts.Token);
            epoch = ChatClient.Text(await reader.WaitForAsync("history", cts.Token), "epoch");
            await SendManyAsync(sender, "resume", "before", 3, true, cts.Token);
            var seen = await ReadMessagesAsync(reader, 3, cts.Token);
            Assert.Equal(3, ChatClient.Number(seen[^1], "offset"));
        }

        await SendManyAsync(sender, "resume", "missed", 5, true, cts.Token);
        await using var back = await ChatClient.ConnectAsync(second.WebSocketUri, "2", cts.Token);
        await back.JoinAsync("resume", cts.Token, lastOffset: 3, epoch: epoch);
        var history = await back.WaitForAsync("history", cts.Token);
        Assert.True(history.GetProperty("recovered").GetBoolean());
        Assert.Equal([4L, 5, 6, 7, 8], history.GetProperty("messages").EnumerateArray().Select(m => ChatClient.Number(m, "offset")));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"missed{i}"), history.GetProperty("messages").EnumerateArray().Select(m => ChatClient.Text(m, "body")));

        // Live delivery continues right after the replayed page, without repeating it.
        await SendManyAsync(sender, "resume", "after", 1, true, cts.Token);
        var next = await back.WaitForAsync("message", cts.Token);
        Assert.Equal(9, ChatClient.Number(next, "offset"));
    }

    [Fact]
    public async Task ResumeBeyondTheRecoveryCapOrWithAnotherEpochReturnsTheLatestPage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var worker = await ChatWorker.StartAsync(db, nats, new Dictionary<string, string?>
        {
            ["Chat:RecoveryCap"] = "3",
            ["Chat:HistoryPageSize"] = "2",
        });
        await using var sender = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        await sender.JoinAsync("capped", cts.Token);
        var epoch = ChatClient.Text(await sender.WaitForAsync("history", cts.Token), "epoch");
        await SendManyAsync(sender, "capped", "m", 6, true, cts.Token);

        await using var late = await ChatClient.ConnectAsync(worker.WebSocketUri, "2", cts.Token);
        await late.JoinAsync("capped", cts.Token, lastOffset: 1, epoch: epoch);
        var tooFar = await late.WaitForAsync("history", cts.Token);
        Assert.False(tooFar.GetProperty("recovered").GetBoolean());
        Assert.Equal([5L, 6], tooFar.GetProperty("messages").EnumerateArray().Select(m => ChatClient.Number(m, "offset")));

        await using var other = await ChatClient.ConnectAsync(worker.WebSocketUri, "3", cts.Token);
        await other.JoinAsync("capped", cts.Token, lastOffset: 5, epoch: "another-epoch");
        var wrongEpoch = await other.WaitForAsync("history", cts.Token);
        Assert.False(wrongEpoch.GetProperty("recovered").GetBoolean());
        Assert.Equal(epoch, ChatClient.Text(wrongEpoch, "epoch"));
        Assert.Equal([5L, 6], wrongEpoch.GetProperty("messages").EnumerateArray().Select(m => ChatClient.Number(m, "offset")));

        await using var within = await ChatClient.ConnectAsync(worker.WebSocketUri, "4", cts.Token);
        await within.JoinAsync("capped", cts.Token, lastOffset: 3, epoch: epoch);
        var recovered = await within.WaitForAsync("history", cts.Token);
        Assert.True(recovered.GetProperty("recovered").GetBoolean());
        Assert.Equal([4L, 5, 6], recovered.GetProperty("messages").EnumerateArray().Select(m => ChatClient.Number(m, "offset")));
    }

    [Fact]
    public async Task ResendWithTheSameClientMsgIdIsAckedAgainWithoutADuplicate()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var first = await ChatWorker.StartAsync(db, nats);
        await using var second = await ChatWorker.StartAsync(db, nats);
        await using var sender = await ChatClient.ConnectAsync(first.WebSocketUri, "1", cts.Token);
        await using var watcher = await ChatClient.ConnectAsync(second.WebSocketUri, "2", cts.Token);
        await sender.JoinAsync("idem", cts.Token);
        await sender.WaitForAsync("history", cts.Token);
        await watcher.JoinAsync("idem", cts.Token);
        await watcher.WaitForAsync("history", cts.Token);

        await sender.SendMessageAsync("idem", "c-1", "hello", cts.Token);
        var ack = await sender.WaitForAsync("ack", cts.Token);
        await sender.SendMessageAsync("idem", "c-1", "hello again", cts.Token);
        var again = await sender.WaitForAsync("ack", cts.Token);
        await sender.SendMessageAsync("idem", "c-2", "second", cts.Token);
        var second2 = await sender.WaitForAsync("ack", cts.Token);

        Assert.False(ack.GetProperty("duplicate").GetBoolean());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(ChatClient.Number(ack, "offset"), ChatClient.Number(again, "offset"));
        Assert.Equal(ChatClient.Number(ack, "offset") + 1, ChatClient.Number(second2, "offset"));
        var seen = await ReadMessagesAsync(watcher, 2, cts.Token);
        Assert.Equal(["hello", "second"], seen.Select(m => ChatClient.Text(m, "body")));

        await using var connection = new MySqlConnection(db);
        await connection.OpenAsync(cts.Token);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE room_id = 'idem'"));
    }

    [Fact]
    public async Task InstanceSubscribesOnlyWhileItHasMembersInTheRoom()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("chat");
        await using var worker = await ChatWorker.StartAsync(db, nats);
        var hub = (RoomHub)worker.App.Services.GetService(typeof(RoomHub))!;
        await using var client = await ChatClient.ConnectAsync(worker.WebSocketUri, "1", cts.Token);
        Assert.Equal(0, hub.RoomCount);
        await client.JoinAsync("sub", cts.Token);
        await client.WaitForAsync("history", cts.Token);
        Assert.Equal(1, hub.RoomCount);
        await client.SendAsync(new { type = "leave", v = 1, room = "sub" }, cts.Token);
        await client.WaitForAsync("left", cts.Token);
        Assert.Equal(0, hub.RoomCount);
    }

    /// <summary>Sends <paramref name="count"/> messages; with <paramref name="waitForAcks"/> each is stored before the next is sent.</summary>
    internal static async Task SendManyAsync(ChatClient client, string room, string prefix, int count, bool waitForAcks, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await client.SendMessageAsync(room, $"{prefix}-{i}", $"{prefix}{i}", cancellationToken);
            if (waitForAcks)
            {
                await client.WaitForAsync("ack", cancellationToken);
            }
        }
    }

    internal static async Task<List<JsonElement>> ReadMessagesAsync(ChatClient client, int count, CancellationToken cancellationToken)
    {
        var messages = new List<JsonElement>();
        while (messages.Count < count)
        {
            messages.Add(await client.WaitForAsync("message", cancellationToken));
        }

        return messages;
    }
}
