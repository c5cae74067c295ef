using Fleet.LoadRunner;

namespace Fleet.LoadRunner.Tests;

public class SyncPushClientsTests
{
    private static readonly ScenarioData Data = new([("a@example.com", "p", "token-a"), ("b@example.com", "p", "token-b")], [11, 12], []);

    [Fact]
    public async Task ConcurrentPushesKeepEveryClientsSeqsContiguous()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await SyncPushServer.StartAsync();
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 5, MaxRequests = 100, Duration = TimeSpan.FromMinutes(1) };

        var (result, clients) = await RunAsync(server, model, timeout.Token);

        Assert.Equal(100, result.Metrics.Latency.Count);
        Assert.Empty(result.Metrics.Errors);
        Assert.All(server.Statuses, s => Assert.Equal("applied", s));
        Assert.Equal(300, server.Applied.Values.Sum(seqs => seqs.Count));
        // Five users in flight at once needed more than one client, and never more than five.
        Assert.InRange(clients.ClientsCreated, 2, 5);
        Assert.Equal(clients.ClientsCreated, server.Applied.Count);
        Assert.All(server.Applied.Values, seqs => Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs));
    }

    [Fact]
    public async Task RetryAnswerIsAnErrorAndTheClientResumesFromLastSeq()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await SyncPushServer.StartAsync(retryEvery: 4);
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 1, MaxRequests = 20, Duration = TimeSpan.FromMinutes(1) };

        var (result, clients) = await RunAsync(server, model, timeout.Token);

        Assert.Equal(["sync-retry"], result.Metrics.Errors.Keys);
        Assert.True(result.Metrics.Errors["sync-retry"] >= 5, $"{result.Metrics.Errors["sync-retry"]} retries");
        // The refused seq is sent again in the next batch: never a gap or a skip, one client throughout.
        Assert.DoesNotContain("gap", server.Statuses);
        Assert.DoesNotContain("skipped", server.Statuses);
        Assert.Equal(1, clients.ClientsCreated);
        var seqs = Assert.Single(server.Applied.Values);
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
    }

    [Fact]
    public async Task FailedRequestDropsItsClient()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await SyncPushServer.StartAsync(failRequest: 3);
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 1, MaxRequests = 6, Duration = TimeSpan.FromMinutes(1) };

        var (result, clients) = await RunAsync(server, model, timeout.Token);

        Assert.Equal(new Dictionary<string, long> { ["http-503"] = 1 }, result.Metrics.Errors);
        // Whether a failed batch was applied is unknown, so a fresh client starts at seq 1 instead of guessing.
        Assert.Equal(2, clients.ClientsCreated);
        Assert.Equal([6, 9], server.Applied.Values.Select(seqs => seqs.Count).Order());
        Assert.DoesNotContain("gap", server.Statuses);
    }

    private static async Task<(RunResult Result, SyncPushClients Clients)> RunAsync(SyncPushServer server, LoadModel model, CancellationToken cancellationToken)
    {
        var step = new StepDefinition { Name = "push", Kind = StepKind.SyncPush, Path = "/sync/v1/mutations", BatchSize = 3 };
        using var http = HttpScenario.CreateClient(server.BaseUrl);
        var clients = new SyncPushClients(http, Data, "test-run");
        var result = await new LoadEngine(model, (index, ct) => clients.SendAsync(step, index, ct)).RunAsync("push", server.BaseUrl.ToString(), cancellationToken);
        return (result, clients);
    }
}
