using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Sync.IntegrationTests;

[Collection(SyncCollection.Name)]
public sealed class ChangeLogTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task RedeliveredAndReorderedEventsNeverCorruptTheLog()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("sync");
        var stream = Events.NewStreamName();
        await using var events = await Events.CreateAsync(nats.Url, stream, cts.Token);
        await using var sync = await SyncWorker.StartAsync(db, nats.Url, stream);

        var v1 = Events.Post(7, 1, "first");
        var v2 = Events.Post(7, 2, "second");
        var v3 = Events.Post(7, 3, "third");
        await events.PublishAsync(v1, cts.Token);
        await events.PublishAsync(v3, cts.Token);

        // Older after newer, and v1 again under another message id: JetStream's dedup cannot drop it, ours must.
        await events.PublishAsync(v2, cts.Token);
        await events.PublishAsync(v1, cts.Token, msgId: "redelivered-" + v1.EventId);
        await events.PublishAsync(Events.Post(8, 1, "marker"), cts.Token);

        var changes = await sync.WaitForChangesAsync(1, c => c.Any(x => x.GetProperty("id").GetInt64() == 8), cts.Token);
        var post = Assert.Single(changes, c => c.GetProperty("id").GetInt64() == 7);
        Assert.Equal(3, post.GetProperty("version").GetInt32());
        Assert.Equal("third", post.GetProperty("data").GetProperty("body").GetString());

        await using var connection = new MySqlConnection(db);
        await connection.OpenAsync(cts.Token);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM changes WHERE entity_id = 7"));
        Assert.Equal(4, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM applied_events"));

        // A tombstone replaces the put; a late older put never resurrects it.
        await events.PublishAsync(Events.Post(7, 4, string.Empty, deleted: true), cts.Token);
        await events.PublishAsync(Events.Post(7, 2, "late"), cts.Token);
        await events.PublishAsync(Events.Post(9, 1, "marker"), cts.Token);
        changes = await sync.WaitForChangesAsync(1, c => c.Any(x => x.GetProperty("id").GetInt64() == 9), cts.Token);
        post = Assert.Single(changes, c => c.GetProperty("id").GetInt64() == 7);
        Assert.Equal("delete", post.GetProperty("op").GetString());
        Assert.Equal(4, post.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, post.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task ConsumerRestartLosesNothingAndDuplicatesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var db = await mysql.CreateDatabaseAsync("sync");
        var stream = Events.NewStreamName();
        await using var events = await Events.CreateAsync(nats.Url, stream, cts.Token);
        var first = await SyncWorker.StartAsync(db, nats.Url, stream);
        for (var i = 1; i <= 10; i++)
        {
            await events.PublishAsync(Events.Post(i, 1, $"p{i}"), cts.Token);
        }

        await first.WaitForChangesAsync(1, c => c.Count == 10, cts.Token);
        await first.DisposeAsync();

        // Published while no consumer runs: the durable consumer keeps the place.
        for (var i = 11; i <= 20; i++)
        {
            await events.PublishAsync(Events.Post(i, 1, $"p{i}"), cts.Token);
        }

        await using var second = await SyncWorker.StartAsync(db, nats.Url, stream);
        var changes = await second.WaitForChangesAsync(1, c => c.Count >= 20, cts.Token);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), changes.Select(c => c.GetProperty("id").GetInt64()));

        await using var connection = new MySqlConnection(db);
        await connection.OpenAsync(cts.Token);
        Assert.Equal(20, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM changes"));
        Assert.Equal(20, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM applied_events"));
    }
}
