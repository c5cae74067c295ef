using System.Net;
using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Sync.IntegrationTests;

[Collection(SyncCollection.Name)]
public sealed class PullTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task PagesAreOrderedWithTombstonesAndHasMore()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("sync");
        var stream = Events.NewStreamName();
        await using var events = await Events.CreateAsync(nats.Url, stream, cts.Token);
        await using var sync = await SyncWorker.StartAsync(db, nats.Url, stream);
        for (var i = 1; i <= 6; i++)
        {
            await events.PublishAsync(Events.Post(i, 1, $"p{i}"), cts.Token);
        }

        await events.PublishAsync(Events.Post(2, 2, string.Empty, deleted: true), cts.Token);
        await sync.WaitForChangesAsync(1, c => c.Any(x => x.GetProperty("op").GetString() == "delete"), cts.Token);

        var seen = new List<JsonElement>();
        string? cursor = null;
        var hasMore = new List<bool>();
        for (var page = 0; page < 10; page++)
        {
            using var response = await sync.PullAsync(1, cursor, limit: 4, cancellationToken: cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token)).RootElement;
            seen.AddRange(body.GetProperty("changes").EnumerateArray());
            cursor = body.GetProperty("nextCursor").GetString();
            hasMore.Add(body.GetProperty("hasMore").GetBoolean());
            if (!hasMore[^1])
            {
                break;
            }
        }

        Assert.Equal([true, false], hasMore);
        Assert.Equal([1L, 3, 4, 5, 6, 2], seen.Select(c => c.GetProperty("id").GetInt64()));
        Assert.Equal(["put", "put", "put", "put", "put", "delete"], seen.Select(c => c.GetProperty("op").GetString()));

        // Nothing new: the last cursor gives an empty page and keeps its place.
        using var empty = await sync.PullAsync(1, cursor, cancellationToken: cts.Token);
        var emptyBody = JsonDocument.Parse(await empty.Content.ReadAsStringAsync(cts.Token)).RootElement;
        Assert.Equal(0, emptyBody.GetProperty("changes").GetArrayLength());
        Assert.Equal(cursor, emptyBody.GetProperty("nextCursor").GetString());
    }

    [Fact]
    public async Task PersonalChangesAreServedOnlyToTheirOwner()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("sync");
        var stream = Events.NewStreamName();
        await using var events = await Events.CreateAsync(nats.Url, stream, cts.Token);
        await using var sync = await SyncWorker.StartAsync(db, nats.Url, stream);
        await events.PublishAsync(Events.Account(1, 1, "alice"), cts.Token);
        await events.PublishAsync(Events.Account(2, 1, "bob"), cts.Token);
        await events.PublishAsync(Events.Post(10, 1, "public"), cts.Token);
        await events.PublishAsync(Events.Account(2, 2, "bobby"), cts.Token);

        var alice = await sync.WaitForChangesAsync(1, c => c.Count == 2, cts.Token);
        Assert.Equal([("account", 1L), ("post", 10L)], alice.Select(c => (c.GetProperty("entity").GetString(), c.GetProperty("id").GetInt64())));
        var bob = await sync.WaitForChangesAsync(2, c => c.Count == 2 && c.Any(x => x.GetProperty("version").GetInt32() == 2), cts.Token);
        Assert.Equal([("post", 10L), ("account", 2L)], bob.Select(c => (c.GetProperty("entity").GetString(), c.GetProperty("id").GetInt64())));
        Assert.Equal("bobby", bob[1].GetProperty("data").GetProperty("displayName").GetString());
        var carol = await sync.WaitForChangesAsync(3, c => c.Count == 1, cts.Token);
        Assert.Equal("post", carol[0].GetProperty("entity").GetString());
    }

    [Fact]
    public async Task BadRequestsGetProblemAnswers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("sync");
        var stream = Events.NewStreamName();
        await using var events = await Events.CreateAsync(nats.Url, stream, cts.Token);
        await using var sync = await SyncWorker.StartAsync(db, nats.Url, stream);
        await events.PublishAsync(Events.Post(1, 1, "a"), cts.Token);
        var (_, cursor) = await sync.PullAllAsync(1, null, 10, cts.Token);

        // One flipped character in a valid cursor, a cursor signed with another key, garbage, a bad limit.
        var tampered = cursor[..^2] + (cursor[^2] == 'A' ? 'B' : 'A') + cursor[^1];
        var foreign = new SyncCursor(System.Text.Encoding.UTF8.GetBytes("another-key-that-is-long-enough-0123456789")).Encode(1);
        foreach (var bad in new[] { tampered, foreign, "not-a-cursor", "%%%" })
        {
            using var response = await sync.PullAsync(1, bad, cancellationToken: cts.Token);
            await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "urn:fleet:problem:malformed-cursor", cts.Token);
        }

        foreach (var limit in new[] { 0, 501, -1 })
        {
            using var response = await sync.PullAsync(1, cursor, limit, cancellationToken: cts.Token);
            await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "urn:fleet:problem:validation", cts.Token);
        }

        using var anonymous = await sync.Http.GetAsync("/sync/v1/changes", cts.Token);
        await Problems.AssertAsync(anonymous, HttpStatusCode.Unauthorized, "urn:fleet:problem:unauthorized", cts.Token);
    }

    [Fact]
    public async Task PurgeWaitsForActiveClientsAndOlderCursorsMustResync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("sync");
        var stream = Events.NewStreamName();
        await using var events = await Events.CreateAsync(nats.Url, stream, cts.Token);
        await using var sync = await SyncWorker.StartAsync(db, nats.Url, stream, settings: new Dictionary<string, string?>
        {
            ["Sync:PurgeInterval"] = "00:00:00.100",
            ["Sync:TombstoneMinAge"] = "00:00:00",
            ["Sync:RetentionWindow"] = "01:00:00",
        });
        await events.PublishAsync(Events.Post(1, 1, "a"), cts.Token);
        await sync.WaitForChangesAsync(1, c => c.Count == 1, cts.Token);
        var (_, slowCursor) = await sync.PullAllAsync(1, null, 10, cts.Token, clientId: "slow");

        await events.PublishAsync(Events.Post(1, 2, string.Empty, deleted: true), cts.Token);
        await events.PublishAsync(Events.Post(2, 1, "b"), cts.Token);
        await sync.WaitForChangesAsync(1, c => c.Count == 2, cts.Token);
        var (_, fastCursor) = await sync.PullAllAsync(1, null, 10, cts.Token, clientId: "fast");

        // The slow client is active and has not seen the tombstone: purge runs but must leave it.
        await using var connection = new MySqlConnection(db);
        await connection.OpenAsync(cts.Token);
        using (var stillThere = await sync.PullAsync(1, slowCursor, clientId: "slow", cancellationToken: cts.Token))
        {
            var body = JsonDocument.Parse(await stillThere.Content.ReadAsStringAsync(cts.Token)).RootElement;
            Assert.Contains(body.GetProperty("changes").EnumerateArray(), c => c.GetProperty("op").GetString() == "delete");
        }

        // The slow client pulled the tombstone now; make it and every other client go quiet past the retention window.
        await connection.ExecuteAsync("UPDATE client_cursors SET pulled_at = UTC_TIMESTAMP(6) - INTERVAL 2 HOUR");
        while (await connection.ExecuteScalarAsync<long?>("SELECT value FROM sync_state WHERE name = 'purge_watermark'") is null or 0)
        {
            await Task.Delay(100, cts.Token);
        }

        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM changes WHERE op = 2"));
        using var old = await sync.PullAsync(1, slowCursor, cancellationToken: cts.Token);
        await Problems.AssertAsync(old, HttpStatusCode.Gone, "urn:fleet:problem:resync-required", cts.Token);
        using var current = await sync.PullAsync(1, fastCursor, cancellationToken: cts.Token);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task PageQueryWalksTheScopeIndexFromTheCursor()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = await mysql.CreateDatabaseAsync("sync");
        var stream = Events.NewStreamName();
        await using var events = await Events.CreateAsync(nats.Url, stream, cts.Token);
        await using (await SyncWorker.StartAsync(db, nats.Url, stream))
        {
        }

        await using var connection = new MySqlConnection(db);
        await connection.OpenAsync(cts.Token);
        await connection.ExecuteAsync(
            """
            INSERT INTO changes (entity, origin_region, entity_id, version, op, scope, data, changed_at)
            SELECT 'post', 'eu', seq, 1, 1, IF(seq % 10 = 0, seq % 7 + 1, 0), '{}', UTC_TIMESTAMP(6) FROM seq_1_to_20000
            """);
        await connection.ExecuteAsync("ANALYZE TABLE changes");
        var plan = (await connection.QueryAsync("EXPLAIN " + ChangeLog.PageSql, new { accountId = 3L, after = 15000L, take = 501 }))
            .Select(r => (IDictionary<string, object>)r).ToList();
        var branches = plan.Where(r => Equals(r["table"], "changes")).ToList();
        Assert.Equal(2, branches.Count);
        Assert.All(branches, r =>
        {
            Assert.Equal("ix_changes_scope", r["key"]);
            Assert.Equal("range", r["type"]);
            Assert.DoesNotContain("filesort", r["Extra"]?.ToString() ?? string.Empty, StringComparison.Ordinal);
        });
    }
}
