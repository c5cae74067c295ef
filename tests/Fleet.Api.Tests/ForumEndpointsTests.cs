using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ForumEndpointsTests(MySqlFixture mysql, NatsServerFixture nats) : IAsyncLifetime
{
    private ApiWorker _worker = null!;

    public async Task InitializeAsync() => _worker = await ApiWorker.StartAsync(mysql, nats);

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task CreateAndReadTopicsAndPosts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, accountId) = await _worker.RegisterAndLoginAsync(null, cts.Token);

        var topic = await CreateTopicAsync(token, "Hello", cts.Token);
        using var created = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, $"/api/v1/forum/topics/{topic}/posts", token, new { body = "First!\nSecond line." }), cts.Token);
        var post = await created.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
        using var read = await _worker.Http.GetAsync(created.Headers.Location, cts.Token);
        var readPost = await read.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
        using var readTopic = await _worker.Http.GetAsync($"/api/v1/forum/topics/{topic}", cts.Token);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/forum/posts/{post.GetProperty("id").GetInt64()}", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("First!\nSecond line.", readPost.GetProperty("body").GetString());
        Assert.Equal(accountId, readPost.GetProperty("authorId").GetInt64());
        Assert.Equal(topic, readPost.GetProperty("topicId").GetInt64());
        Assert.Equal(HttpStatusCode.OK, readTopic.StatusCode);
        Assert.Equal("Hello", (await readTopic.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AuthorEditsAndDeletesLeavingATombstone()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var topic = await CreateTopicAsync(token, "Edits", cts.Token);
        var post = await CreatePostAsync(token, topic, "draft", cts.Token);

        using var edit = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Patch, $"/api/v1/forum/posts/{post}", token, new { body = "final", version = 1 }), cts.Token);
        using var stale = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Patch, $"/api/v1/forum/posts/{post}", token, new { body = "lost update", version = 1 }), cts.Token);
        using var delete = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Delete, $"/api/v1/forum/posts/{post}", token), cts.Token);
        using var gone = await _worker.Http.GetAsync($"/api/v1/forum/posts/{post}", cts.Token);
        using var deleteAgain = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Delete, $"/api/v1/forum/posts/{post}", token), cts.Token);

        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Equal(2, (await edit.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("version").GetInt32());
        await Problems.AssertProblemAsync(stale, HttpStatusCode.Conflict, "conflict");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await Problems.AssertProblemAsync(gone, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(deleteAgain, HttpStatusCode.NotFound, "not-found");

        await using var connection = new MySqlConnection(_worker.ConnectionString);
        await connection.OpenAsync(cts.Token);
        var tombstone = await connection.QuerySingleAsync<(string Body, int Version, DateTime? DeletedAt)>(
            "SELECT body, version, deleted_at FROM posts WHERE id = @post", new { post });
        Assert.Equal(string.Empty, tombstone.Body);
        Assert.Equal(3, tombstone.Version);
        Assert.NotNull(tombstone.DeletedAt);
        var events = (await connection.QueryAsync<string>("SELECT payload FROM outbox ORDER BY seq")).ToList();
        Assert.Contains(events, e => e.Contains("\"type\":\"forum.post.deleted\"", StringComparison.Ordinal) && e.Contains("\"version\":3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyTheAuthorMayChangeAPost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (author, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var (other, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var topic = await CreateTopicAsync(author, "Mine", cts.Token);
        var post = await CreatePostAsync(author, topic, "mine", cts.Token);

        using var edit = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Patch, $"/api/v1/forum/posts/{post}", other, new { body = "yours now" }), cts.Token);
        using var delete = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Delete, $"/api/v1/forum/posts/{post}", other), cts.Token);
        using var anonymous = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Delete, $"/api/v1/forum/posts/{post}"), cts.Token);
        var body = await _worker.Http.GetFromJsonAsync<JsonElement>($"/api/v1/forum/posts/{post}", cts.Token);

        await Problems.AssertProblemAsync(edit, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(delete, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("mine", body.GetProperty("body").GetString());
    }

    [Fact]
    public async Task MissingResourcesAndBadIdsAreProblems()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);

        using var noTopic = await _worker.Http.GetAsync("/api/v1/forum/topics/999999", cts.Token);
        using var noPost = await _worker.Http.GetAsync("/api/v1/forum/posts/999999", cts.Token);
        using var postToMissingTopic = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics/999999/posts", token, new { body = "hi" }), cts.Token);
        using var badId = await _worker.Http.GetAsync("/api/v1/forum/posts/abc", cts.Token);
        using var hugeId = await _worker.Http.GetAsync("/api/v1/forum/posts/99999999999999999999999", cts.Token);
        using var unknownPath = await _worker.Http.GetAsync("/api/v1/nothing/here", cts.Token);

        await Problems.AssertProblemAsync(noTopic, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(noPost, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(postToMissingTopic, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(badId, HttpStatusCode.BadRequest, "validation");
        await Problems.AssertProblemAsync(hugeId, HttpStatusCode.BadRequest, "validation");
        await Problems.AssertProblemAsync(unknownPath, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task CursorPagingIsStableWhilePostsAreInserted()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var topic = await CreateTopicAsync(token, "Paging", cts.Token);
        var original = new List<long>();
        for (var i = 0; i < 25; i++)
        {
            original.Add(await CreatePostAsync(token, topic, $"post {i}", cts.Token));
        }

        // Writers keep inserting while the reader pages through; the reader must see every original post once,
        // in order, and never the same post twice.
        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var inserted = new List<long>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 200 && !stopWriters.IsCancellationRequested; i++)
            {
                var id = await CreatePostAsync(token, topic, $"concurrent {i}", cts.Token);
                lock (inserted)
                {
                    inserted.Add(id);
                }
            }
        }, cts.Token);

        int InsertedCount()
        {
            lock (inserted)
            {
                return inserted.Count;
            }
        }

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/v1/forum/topics/{topic}/posts?limit=7" + (cursor is null ? string.Empty : $"&cursor={cursor}");
            var page = await _worker.Http.GetFromJsonAsync<JsonElement>(url, cts.Token);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetInt64()));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages++;
            if (pages == 3)
            {
                // Make sure the writer has landed rows in the middle of the walk.
                while (InsertedCount() < 5 && !writer.IsCompleted)
                {
                    await Task.Delay(20, cts.Token);
                }
            }
        }
        while (cursor is not null && pages < 100);
        await stopWriters.CancelAsync();
        await writer;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.Order().ToList(), seen);
        Assert.Equal(original, seen.Take(original.Count).ToList());
        Assert.True(seen.Count > original.Count, "Posts inserted during the walk after the cursor must show up too.");
    }

    [Fact]
    public async Task PageSizeAndCursorAreValidated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        foreach (var query in new[] { "limit=0", "limit=101", "limit=abc", "limit=-1", "cursor=not-a-cursor", "cursor=AAAAAAAAAAAAAAAAAAAA" })
        {
            using var response = await _worker.Http.GetAsync($"/api/v1/forum/topics?{query}", cts.Token);
            await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        }

        using var ok = await _worker.Http.GetAsync("/api/v1/forum/topics?limit=100", cts.Token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    private async Task<long> CreateTopicAsync(string token, string title, CancellationToken cancellationToken)
    {
        using var response = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", token, new { title }), cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
    }

    private async Task<long> CreatePostAsync(string token, long topic, string body, CancellationToken cancellationToken)
    {
        using var response = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, $"/api/v1/forum/topics/{topic}/posts", token, new { body }), cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
    }
}
