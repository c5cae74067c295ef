using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.Nats;
using Fleet.Nats.JetStream;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class OutboxRelayTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task PublishesEachEventOnceWithItsContract()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var worker = await ApiWorker.StartAsync(mysql, nats);
        var (token, _) = await worker.RegisterAndLoginAsync(null, cts.Token);
        using var topic = await worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", token, new { title = "events" }), cts.Token);
        topic.Headers.TryGetValues("X-Request-ID", out var requestIds);

        await WaitForStreamCountAsync(worker.EventStream, 2, cts.Token);
        var events = await ReadStreamAsync(worker, 2, cts.Token);

        var registered = events.Single(e => e.GetProperty("type").GetString() == "account.registered");
        var created = events.Single(e => e.GetProperty("type").GetString() == "forum.topic.created");
        Assert.True(registered.GetProperty("personal").GetBoolean());
        Assert.False(created.GetProperty("personal").GetBoolean());
        Assert.Equal("eu", created.GetProperty("region").GetString());
        Assert.Equal("topic", created.GetProperty("entity").GetString());
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.Equal(requestIds!.Single(), created.GetProperty("requestId").GetString());
        Assert.Equal("events", created.GetProperty("data").GetProperty("title").GetString());
        Assert.Equal(0, await PendingAsync(worker.ConnectionString, cts.Token));
    }

    [Fact]
    public async Task DeliversExactlyOnceAcrossNatsOutageAndWorkerRestart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var worker = await ApiWorker.StartAsync(mysql, nats);
        string connectionString = worker.ConnectionString, stream = worker.EventStream;
        try
        {
            var (token, _) = await worker.RegisterAndLoginAsync(null, cts.Token);
            var topic = await CreateAsync(worker, token, "/api/v1/forum/topics", new { title = "outage" }, cts.Token);
            for (var i = 0; i < 5; i++)
            {
                await CreateAsync(worker, token, $"/api/v1/forum/topics/{topic}/posts", new { body = $"before {i}" }, cts.Token);
            }

            await WaitForStreamCountAsync(stream, 7, cts.Token);

            nats.Kill();

            // MySQL-only work goes on while NATS is down: reads answer, writes commit and their events wait.
            var written = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                written.Add(await CreateAsync(worker, token, $"/api/v1/forum/topics/{topic}/posts", new { body = $"during {i}" }, cts.Token));
            }

            using var read = await worker.Http.GetAsync($"/api/v1/forum/posts/{written[0]}", cts.Token);
            using var ready = await worker.Http.GetAsync("/readyz", cts.Token);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal(5, await PendingAsync(connectionString, cts.Token));
        }
        finally
        {
            await worker.DisposeAsync();
            await nats.StartAsync();
        }

        // As if the previous worker had crashed after publishing these rows but before marking them sent:
        // the new worker publishes them again and the stream must drop the copies.
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            await connection.ExecuteAsync("UPDATE outbox SET sent_at = NULL ORDER BY seq LIMIT 3");
        }

        await using var restarted = await ApiWorker.StartAsync(mysql, nats, connectionString, stream);
        await WaitForPendingAsync(connectionString, 0, cts.Token);

        var events = await ReadStreamAsync(restarted, 12, cts.Token);
        var ids = events.Select(e => e.GetProperty("eventId").GetString()).ToList();
        Assert.Equal(12, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var info = await StreamInfoAsync(stream, cts.Token);
        Assert.Equal(12UL, info.State.Messages);
    }

    private static async Task<long> CreateAsync(ApiWorker worker, string token, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Post, path, token, body), cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
    }

    private static async Task<long> PendingAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
    }

    private static async Task WaitForPendingAsync(string connectionString, long expected, CancellationToken cancellationToken)
    {
        while (await PendingAsync(connectionString, cancellationToken) != expected)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<NatsJSStreamInfo> StreamInfoAsync(string stream, CancellationToken cancellationToken)
    {
        await using var client = new NatsConnection(new NatsOptions { Servers = [nats.Url] });
        await client.ConnectAsync(cancellationToken);
        return await new NatsJSContext(client).GetStreamAsync(stream, cancellationToken);
    }

    private async Task WaitForStreamCountAsync(string stream, ulong expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if ((await StreamInfoAsync(stream, cancellationToken)).State.Messages >= expected)
                {
                    return;
                }
            }
            catch (NatsJSApiException)
            {
                // The relay has not created the stream yet.
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Reads every message of the stream through an ephemeral pull consumer.</summary>
    private async Task<List<JsonElement>> ReadStreamAsync(ApiWorker worker, int expected, CancellationToken cancellationToken)
    {
        await using var client = new NatsConnection(new NatsOptions { Servers = [nats.Url] });
        await client.ConnectAsync(cancellationToken);
        var js = new NatsJSContext(client);
        var consumer = "reader" + Guid.NewGuid().ToString("N");
        await js.CreateOrUpdateConsumerAsync(worker.EventStream, new NatsJSConsumerConfig { DurableName = consumer, AckPolicy = NatsJSAckPolicy.None }, cancellationToken);
        var events = new List<JsonElement>();
        await foreach (var msg in js.FetchAsync(worker.EventStream, consumer, expected + 5, TimeSpan.FromSeconds(2), cancellationToken))
        {
            events.Add(JsonDocument.Parse(msg.Data).RootElement.Clone());
        }

        await js.DeleteConsumerAsync(worker.EventStream, consumer, cancellationToken);
        return events;
    }
}
