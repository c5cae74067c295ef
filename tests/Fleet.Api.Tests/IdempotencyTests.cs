using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class IdempotencyTests(MySqlFixture mysql, NatsServerFixture nats) : IAsyncLifetime
{
    private ApiWorker _worker = null!;

    public async Task InitializeAsync() => _worker = await ApiWorker.StartAsync(mysql, nats);

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task ReplayReturnsTheOriginalAnswerAndWritesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var key = Guid.NewGuid().ToString();

        var first = await SendAsync(token, key, new { title = "once" }, cts.Token);
        var replay = await SendAsync(token, key, new { title = "once" }, cts.Token);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(first, replay);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM topics", cts.Token));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM outbox WHERE subject LIKE '%forum.topic.created'", cts.Token));
    }

    [Fact]
    public async Task SameKeyWithADifferentBodyIs422()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var key = Guid.NewGuid().ToString();
        await SendAsync(token, key, new { title = "first" }, cts.Token);

        using var request = ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", token, new { title = "second" });
        request.Headers.Add("Idempotency-Key", key);
        using var response = await _worker.Http.SendAsync(request, cts.Token);

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM topics", cts.Token));
    }

    [Fact]
    public async Task ConcurrentReplaysWriteOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(token, key, new { title = "race" }, cts.Token)));

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(HttpStatusCode.Created, answers[0].Status);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM topics", cts.Token));
    }

    [Fact]
    public async Task KeysAreScopedToTheCaller()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (alice, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var (bob, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var key = Guid.NewGuid().ToString();

        var a = await SendAsync(alice, key, new { title = "same" }, cts.Token);
        var b = await SendAsync(bob, key, new { title = "same" }, cts.Token);

        Assert.Equal(HttpStatusCode.Created, a.Status);
        Assert.Equal(HttpStatusCode.Created, b.Status);
        Assert.NotEqual(a.Body, b.Body);
    }

    [Fact]
    public async Task InvalidKeyIs400()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);

        var answer = await SendAsync(token, new string('k', 201), new { title = "x" }, cts.Token);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM topics", cts.Token));
    }

    private async Task<Answer> SendAsync(string token, string key, object body, CancellationToken cancellationToken)
    {
        using var request = ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", token, body);
        request.Headers.Add("Idempotency-Key", key);
        using var response = await _worker.Http.SendAsync(request, cancellationToken);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Headers.Location?.OriginalString);
    }

    private async Task<long> CountAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(_worker.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private sealed record Answer(HttpStatusCode Status, string Body, string? Location);
}
