using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fleet.Nats;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

/// <summary>The same handlers over NATS request/reply: same status, same body, headers for auth and parameters.</summary>
[Collection(ApiCollection.Name)]
public sealed class NatsTransportTests(MySqlFixture mysql, NatsServerFixture nats) : IAsyncLifetime
{
    private ApiWorker _worker = null!;
    private NatsConnection _client = null!;

    public async Task InitializeAsync()
    {
        _worker = await ApiWorker.StartAsync(mysql, nats);
        _client = new NatsConnection(new NatsOptions { Servers = [nats.Url], Name = "api-test-client" });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _client.ConnectAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _worker.DisposeAsync();
    }

    [Fact]
    public async Task AnswersTheSameRequestsAsHttp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);

        var created = await RequestAsync("forum.topics.create", new { title = "over nats" }, token, null, cts.Token);
        var id = JsonDocument.Parse(created.Body).RootElement.GetProperty("id").GetInt64();
        var viaNats = await RequestAsync("forum.topics.get", null, null, new() { ["id"] = ApiWorker.Id(id) }, cts.Token);
        using var viaHttp = await _worker.Http.GetAsync($"/api/v1/forum/topics/{id}", cts.Token);

        Assert.Equal(201, created.Status);
        Assert.Equal($"/api/v1/forum/topics/{id}", created.Location);
        Assert.Equal(200, viaNats.Status);
        Assert.Equal(HttpStatusCode.OK, viaHttp.StatusCode);
        Assert.Equal(await viaHttp.Content.ReadAsStringAsync(cts.Token), viaNats.Body);
    }

    [Fact]
    public async Task ErrorsTravelAsProblemsWithTheirStatus()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var unauthorized = await RequestAsync("forum.topics.create", new { title = "x" }, null, null, cts.Token);
        var invalid = await RequestAsync("forum.posts.get", null, null, new() { ["id"] = "abc" }, cts.Token);
        var missing = await RequestAsync("forum.posts.get", null, null, new() { ["id"] = "987654" }, cts.Token);
        var unknown = await RequestAsync("no.such.operation", null, null, null, cts.Token);

        Assert.Equal(401, unauthorized.Status);
        Assert.Equal(400, invalid.Status);
        Assert.Equal(404, missing.Status);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("application/problem+json", missing.ContentType);
        Assert.Equal("urn:fleet:problem:validation", JsonDocument.Parse(invalid.Body).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task RequestIdTravelsBackInHeaders()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var headers = new NatsHeaders { ["X-Request-ID"] = "req-123" };

        var reply = await _client.RequestAsync("api.v1.system.ping", ReadOnlyMemory<byte>.Empty, headers, TimeSpan.FromSeconds(10), cts.Token);

        Assert.Equal("req-123", reply.Headers?["X-Request-ID"]);
        Assert.Equal("200", reply.Headers?["Status"]);
    }

    [Fact]
    public async Task NatsOnlyWorkerServesNoApiOverHttp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var natsOnly = await ApiWorker.StartAsync(mysql, nats, transport: "nats");

        using var ping = await natsOnly.Http.GetAsync("/api/v1/ping", cts.Token);
        using var health = await natsOnly.Http.GetAsync("/healthz", cts.Token);

        Assert.Equal(HttpStatusCode.NotFound, ping.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(200, (await RequestAsync("system.ping", null, null, null, cts.Token)).Status);
    }

    [Fact]
    public async Task AStoppingInstanceAnswersWhatItTookWhileTheOtherTakesOver()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var leaving = await ApiWorker.StartAsync(mysql, nats, transport: "nats", settings: new Dictionary<string, string?> { ["Fleet:DrainDelay"] = "00:00:01" });
        using var stop = new CancellationTokenSource();
        var answered = 0;
        var failures = new List<string>();

        // Requesters that never pause, as the sync worker forwarding pushes; the queue group splits them between the
        // two instances until one drains.
        async Task RequesterAsync()
        {
            for (var i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var reply = await _client.RequestAsync("api.v1.system.ping", ReadOnlyMemory<byte>.Empty, null, TimeSpan.FromSeconds(5), cts.Token);
                    Assert.Equal("200", reply.Headers?["Status"]);
                    Interlocked.Increment(ref answered);
                }
                catch (Exception ex) when (ex is NatsException or TimeoutException)
                {
                    lock (failures)
                    {
                        failures.Add(ex.Message);
                    }
                }
            }
        }

        var requesters = Enumerable.Range(0, 8).Select(_ => Task.Run(RequesterAsync, cts.Token)).ToList();
        await Task.Delay(300, cts.Token);
        await leaving.StopAsync();
        await Task.Delay(300, cts.Token);
        await stop.CancelAsync();
        await Task.WhenAll(requesters);

        Assert.True(failures.Count == 0, $"{failures.Count} of {answered + failures.Count} requests failed: {string.Join(" | ", failures.Distinct())}");
        Assert.True(answered > 100, $"only {answered} requests were answered");
    }

    private async Task<Reply> RequestAsync(string operation, object? body, string? token, Dictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        var headers = new NatsHeaders();
        if (token is not null)
        {
            headers["Authorization"] = "Bearer " + token;
        }

        if (body is not null)
        {
            headers["Content-Type"] = "application/json";
        }

        foreach (var (name, value) in parameters ?? [])
        {
            headers["Param-" + name] = value;
        }

        var data = body is null ? ReadOnlyMemory<byte>.Empty : JsonSerializer.SerializeToUtf8Bytes(body);
        var msg = await _client.RequestAsync("api.v1." + operation, data, headers, TimeSpan.FromSeconds(10), cancellationToken);
        return new Reply(
            int.Parse(msg.Headers?["Status"] ?? "0", System.Globalization.CultureInfo.InvariantCulture),
            msg.Headers?["Content-Type"],
            msg.Headers?["Location"],
            Encoding.UTF8.GetString(msg.Data.Span));
    }

    private sealed record Reply(int Status, string? ContentType, string? Location, string Body);
}
