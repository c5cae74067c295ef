using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

/// <summary>The worker starts and reports not ready (never crashes) while MySQL is missing, and migrates once it appears.</summary>
[Collection(ApiCollection.Name)]
public sealed class ResilienceTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task StartsNotReadyWithoutMySqlAndMigratesWhenItAppears()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var database = $"late_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        var connectionString = $"{mysql.ConnectionString};Database={database}";
        await using var worker = await ApiWorker.StartAsync(mysql, nats, connectionString, waitUntilReady: false);

        using var live = await worker.Http.GetAsync("/healthz", cts.Token);
        using var notReady = await worker.Http.GetAsync("/readyz", cts.Token);
        using var read = await worker.Http.GetAsync("/api/v1/forum/topics", cts.Token);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        await Problems.AssertProblemAsync(read, HttpStatusCode.ServiceUnavailable, "unavailable");

        await mysql.ExecuteAsRootAsync($"CREATE DATABASE `{database}` CHARACTER SET utf8mb4;");
        await worker.WaitUntilReadyAsync(cts.Token);

        var (token, _) = await worker.RegisterAndLoginAsync(null, cts.Token);
        using var created = await worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", token, new { title = "after" }), cts.Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task UnreachableMySqlAnswers503NotACrash()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var connectionString = $"Server=127.0.0.1;Port={FreeTcpPort.Next()};User ID=x;Password=y;Database=z;Connection Timeout=1";
        await using var worker = await ApiWorker.StartAsync(mysql, nats, connectionString, waitUntilReady: false);

        using var ready = await worker.Http.GetAsync("/readyz", cts.Token);
        using var read = await worker.Http.GetAsync("/api/v1/forum/posts/1", cts.Token);
        using var write = await worker.Http.PostAsJsonAsync(
            "/api/v1/accounts", new { email = "a@example.com", password = "long enough password", displayName = "A" }, cts.Token);
        var ping = await worker.Http.GetFromJsonAsync<JsonElement>("/api/v1/ping", cts.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        await Problems.AssertProblemAsync(read, HttpStatusCode.ServiceUnavailable, "unavailable");
        await Problems.AssertProblemAsync(write, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.Equal("ok", ping.GetProperty("status").GetString());
    }
}
