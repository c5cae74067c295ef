using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Fleet.Hosting;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Sync.IntegrationTests;

[Collection(SyncCollection.Name)]
public sealed class PushTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task MutationsApplyInSeqOrderOnceAndReachThePullThroughTheApiEvents()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var setup = await SetupAsync(cts.Token);
        var (sync, api, apiDb, account, token, topicId) = setup.Parts;

        object[] batch =
        [
            new { seq = 1, name = "post.create", args = new { topicId, body = "written offline 1" } },
            new { seq = 2, name = "post.create", args = new { topicId, body = "written offline 2" } },
            new { seq = 3, name = "profile.edit", args = new { displayName = "Renamed offline" } },
        ];
        var first = await PushAsync(sync, token, "phone", batch, cts.Token);
        Assert.Equal(3, first.GetProperty("lastSeq").GetInt64());
        Assert.Equal(["applied", "applied", "applied"], Statuses(first));

        // The same batch again (a retry after a lost answer): every mutation is skipped and nothing is written.
        var replay = await PushAsync(sync, token, "phone", batch, cts.Token);
        Assert.Equal(["skipped", "skipped", "skipped"], Statuses(replay));
        await using var connection = new MySqlConnection(apiDb);
        await connection.OpenAsync(cts.Token);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM posts"));

        // API write -> outbox -> JetStream -> sync change log -> pull, in order, with the owner's profile.
        var changes = await sync.WaitForChangesAsync(
            account, c => c.Count(x => x.GetProperty("entity").GetString() == "post") == 2 && c.Any(x => x.GetProperty("entity").GetString() == "account" && x.GetProperty("version").GetInt32() == 2), cts.Token);
        var posts = changes.Where(c => c.GetProperty("entity").GetString() == "post").Select(c => c.GetProperty("data").GetProperty("body").GetString());
        Assert.Equal(["written offline 1", "written offline 2"], posts);
        Assert.Equal("Renamed offline", changes.Single(c => c.GetProperty("entity").GetString() == "account").GetProperty("data").GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task GapsStopTheBatchPermanentErrorsAdvanceAndStaleVersionsConflict()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var setup = await SetupAsync(cts.Token);
        var (sync, _, apiDb, _, token, topicId) = setup.Parts;

        var created = await PushAsync(sync, token, "tab", [new { seq = 1, name = "post.create", args = new { topicId, body = "v1" } }], cts.Token);
        var postId = created.GetProperty("results")[0].GetProperty("response").GetProperty("id").GetInt64();

        // seq 3 after 1: a gap; nothing after it runs.
        var gap = await PushAsync(sync, token, "tab", [new { seq = 3, name = "post.delete", args = new { postId } }], cts.Token);
        Assert.Equal(["gap"], Statuses(gap));
        Assert.Equal(1, gap.GetProperty("lastSeq").GetInt64());

        var mixed = await PushAsync(
            sync,
            token,
            "tab",
            [
                new { seq = 2, name = "post.edit", args = new { postId = 999999, body = "nowhere", version = 1 } },
                new { seq = 3, name = "post.edit", args = new { postId, body = "stale", version = 7 } },
                new { seq = 4, name = "post.edit", args = new { postId, body = "v2", version = 1 } },
                new { seq = 6, name = "post.delete", args = new { postId } },
            ],
            cts.Token);
        Assert.Equal(["rejected", "conflict", "applied", "gap"], Statuses(mixed));
        Assert.Equal([404, 409, 200], mixed.GetProperty("results").EnumerateArray().Take(3).Select(r => r.GetProperty("httpStatus").GetInt32()));
        Assert.Equal(4, mixed.GetProperty("lastSeq").GetInt64());

        await using var connection = new MySqlConnection(apiDb);
        await connection.OpenAsync(cts.Token);
        Assert.Equal(("v2", 2), await connection.QuerySingleAsync<(string, int)>("SELECT body, version FROM posts WHERE id = @postId", new { postId }));
    }

    [Fact]
    public async Task BadBatchesGetProblemsAndApplyNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var setup = await SetupAsync(cts.Token);
        var (sync, _, apiDb, _, token, topicId) = setup.Parts;

        var unknown = new object[]
        {
            new { seq = 1, name = "post.create", args = new { topicId, body = "must not land" } },
            new { seq = 2, name = "post.explode", args = new { } },
        };
        using (var response = await SendAsync(sync, token, new { clientId = "c", mutations = unknown }, cts.Token))
        {
            await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "urn:fleet:problem:validation", cts.Token);
        }

        var oversized = Enumerable.Range(1, 51).Select(i => (object)new { seq = i, name = "post.create", args = new { topicId, body = "x" } }).ToArray();
        using (var response = await SendAsync(sync, token, new { clientId = "c", mutations = oversized }, cts.Token))
        {
            await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "urn:fleet:problem:batch-too-large", cts.Token);
        }

        foreach (var body in new object[] { new { clientId = "bad id!", mutations = Array.Empty<object>() }, new { clientId = "c" } })
        {
            using var response = await SendAsync(sync, token, body, cts.Token);
            await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "urn:fleet:problem:validation", cts.Token);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/sync/v1/mutations") { Content = new StringContent("{", Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await sync.Http.SendAsync(request, cts.Token);
            await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "urn:fleet:problem:validation", cts.Token);
        }

        await using var connection = new MySqlConnection(apiDb);
        await connection.OpenAsync(cts.Token);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM posts"));
        var status = await PushAsync(sync, token, "c", [], cts.Token);
        Assert.Equal(0, status.GetProperty("lastSeq").GetInt64());
    }

    private static List<string?> Statuses(JsonElement answer) =>
        answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()).ToList();

    private static async Task<JsonElement> PushAsync(SyncWorker sync, string token, string clientId, object[] mutations, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(sync, token, new { clientId, mutations }, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> SendAsync(SyncWorker sync, string token, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/v1/mutations")
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await sync.Http.SendAsync(request, cancellationToken);
    }

    private async Task<Setup> SetupAsync(CancellationToken cancellationToken)
    {
        var syncDb = await mysql.CreateDatabaseAsync("sync");
        var apiDb = await mysql.CreateDatabaseAsync("api");
        var stream = Events.NewStreamName();
        await (await Events.CreateAsync(nats.Url, stream, cancellationToken)).DisposeAsync();
        var api = await ApiWorkerProcess.StartAsync(
            "api-sync-test",
            apiDb,
            nats.Url,
            [
                "FLEET_API__JWTKEY=" + Hs256TestTokens.Key,
                "FLEET_API__EVENTSTREAM=" + stream,
                "FLEET_API__EVENTSUBJECTPREFIX=" + Events.PrefixOf(stream),
                "FLEET_API__OUTBOXPOLLINTERVAL=00:00:00.200",
                "FLEET_FLEET__DRAINDELAY=00:00:00",
            ],
            FleetHealth.ReadyPath,
            cancellationToken);
        var sync = await SyncWorker.StartAsync(syncDb, nats.Url, stream);
        var (account, token) = await api.RegisterAsync("writer", cancellationToken);
        var topicId = await api.CreateTopicAsync(token, "Offline", cancellationToken);
        return new Setup((sync, api, apiDb, account, token, topicId));
    }

    private sealed record Setup((SyncWorker Sync, ApiWorkerProcess Api, string ApiDb, long Account, string Token, long TopicId) Parts) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Parts.Sync.DisposeAsync();
            Parts.Api.Dispose();
        }
    }
}
