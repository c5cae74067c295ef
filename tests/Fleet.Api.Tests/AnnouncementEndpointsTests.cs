using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AnnouncementEndpointsTests(MySqlFixture mysql, NatsServerFixture nats) : IAsyncLifetime
{
    private ApiWorker _worker = null!;

    public async Task InitializeAsync() => _worker = await ApiWorker.StartAsync(mysql, nats);

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task EditorsPublishAndEveryoneReads()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (editor, _) = await _worker.RegisterAndLoginAsync(ApiWorker.EditorEmail, cts.Token);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            using var created = await _worker.Http.SendAsync(
                ApiWorker.Request(HttpMethod.Post, "/api/v1/announcements", editor, new { title = $"News {i}", body = "Body" }), cts.Token);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("id").GetInt64());
        }

        var first = await _worker.Http.GetFromJsonAsync<JsonElement>("/api/v1/announcements?limit=2", cts.Token);
        var second = await _worker.Http.GetFromJsonAsync<JsonElement>(
            $"/api/v1/announcements?limit=2&cursor={first.GetProperty("nextCursor").GetString()}", cts.Token);
        var one = await _worker.Http.GetFromJsonAsync<JsonElement>($"/api/v1/announcements/{ids[1]}", cts.Token);

        var listed = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(a => a.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), listed);
        Assert.False(second.TryGetProperty("nextCursor", out _));
        Assert.Equal("News 1", one.GetProperty("title").GetString());
    }

    [Fact]
    public async Task MembersMayNotPublish()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (member, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);

        using var member403 = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, "/api/v1/announcements", member, new { title = "x", body = "y" }), cts.Token);
        using var anonymous401 = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, "/api/v1/announcements", null, new { title = "x", body = "y" }), cts.Token);
        using var missing404 = await _worker.Http.GetAsync("/api/v1/announcements/424242", cts.Token);

        await Problems.AssertProblemAsync(member403, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(anonymous401, HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertProblemAsync(missing404, HttpStatusCode.NotFound, "not-found");
    }
}
