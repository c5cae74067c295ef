using Fleet.LoadRunner;

namespace Fleet.LoadRunner.Tests;

public class LoadEngineTests
{
    [Fact]
    public async Task OpenModelKeepsArrivalRateWhenServerStalls()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // 50 requests/s for 4 s; the 50th request (due at ~1 s) stalls the server for 1 s.
        await using var server = await LoopbackServer.StartAsync(stallAtRequest: 50, stallFor: TimeSpan.FromSeconds(1));
        var model = new LoadModel { Kind = LoadModelKind.Open, Rate = 50, Duration = TimeSpan.FromSeconds(4) };

        var result = await RunAsync(server, "/stall", model, timeout.Token);

        // Every request of the timeline was sent and answered: none skipped while the server stalled.
        Assert.Equal(200, result.Metrics.Started);
        Assert.Equal(200, result.Metrics.Latency.Count);
        Assert.Equal(200, server.Requests);
        Assert.Equal(0, result.Metrics.ErrorCount);
        // Latency includes the stall, measured from the intended start: the stalling request waited the full
        // second, and the ~25 requests due in the stall's first half waited at least half a second each.
        Assert.True(result.Metrics.Latency.Max >= 950_000, $"max {result.Metrics.Latency.Max} µs");
        Assert.True(result.Metrics.Latency.ValueAtPercentile(100 - (15 * 100.0 / 200)) >= 450_000,
            $"p92.5 {result.Metrics.Latency.ValueAtPercentile(92.5)} µs");
        // The arrival series kept its rate through the stall: each of the 4 seconds started 50 requests (± 1 at a second's edge).
        Assert.All(result.Metrics.Seconds.Take(4), s => Assert.InRange(s.Started, 49, 51));
    }

    [Fact]
    public async Task OpenModelStopsAtRequestCap()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        var model = new LoadModel { Kind = LoadModelKind.Open, Rate = 200, Duration = TimeSpan.FromHours(1), MaxRequests = 150 };

        var result = await RunAsync(server, "/ok", model, timeout.Token);

        Assert.Equal(150, result.Metrics.Latency.Count);
        Assert.Equal(150, server.Requests);
    }

    [Fact]
    public async Task OpenModelStopsAtDuration()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        var model = new LoadModel { Kind = LoadModelKind.Open, Rate = 100, Duration = TimeSpan.FromSeconds(1.5) };

        var result = await RunAsync(server, "/ok", model, timeout.Token);

        Assert.Equal(150, result.Metrics.Latency.Count);
        Assert.Equal(150, server.Requests);
    }

    [Fact]
    public async Task OpenModelRampsUpLinearly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        // Ramp 0 → 100/s over 2 s, then 1 s flat: 100 · 2 / 2 + 100 · 1 = 200 requests, 25 in the first second.
        var model = new LoadModel { Kind = LoadModelKind.Open, Rate = 100, RampUp = TimeSpan.FromSeconds(2), Duration = TimeSpan.FromSeconds(3) };

        var result = await RunAsync(server, "/ok", model, timeout.Token);

        Assert.Equal(200, result.Metrics.Latency.Count);
        Assert.InRange(result.Metrics.Seconds[0].Started, 24, 26);
        Assert.InRange(result.Metrics.Seconds[1].Started, 74, 76);
        Assert.InRange(result.Metrics.Seconds[2].Started, 99, 101);
    }

    [Fact]
    public async Task WarmUpRequestsAreSentButNotRecorded()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        var model = new LoadModel { Kind = LoadModelKind.Open, Rate = 100, WarmUp = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(1) };

        var result = await RunAsync(server, "/ok", model, timeout.Token);

        Assert.Equal(100, result.WarmUpRequests);
        Assert.Equal(100, result.Metrics.Latency.Count);
        Assert.Equal(200, server.Requests);
    }

    [Fact]
    public async Task ClosedModelStopsAtDuration()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 4, Duration = TimeSpan.FromSeconds(1) };

        var result = await RunAsync(server, "/ok", model, timeout.Token);

        Assert.True(result.Metrics.Latency.Count > 0);
        Assert.Equal(result.Metrics.Started, result.Metrics.Latency.Count);
        Assert.Equal(server.Requests, result.Metrics.Latency.Count);
        Assert.True(result.MeasuredTime >= TimeSpan.FromSeconds(0.9), $"measured {result.MeasuredTime}");
    }

    [Fact]
    public async Task ClosedModelStopsAtRequestCap()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 8, Duration = TimeSpan.FromHours(1), MaxRequests = 333 };

        var result = await RunAsync(server, "/ok", model, timeout.Token);

        Assert.Equal(333, result.Metrics.Latency.Count);
        Assert.Equal(333, server.Requests);
    }

    [Fact]
    public async Task ErrorsAreCountedByKind()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 2, Duration = TimeSpan.FromHours(1), MaxRequests = 20, RequestTimeout = TimeSpan.FromMilliseconds(300) };

        var status = await RunAsync(server, "/status/503", model, timeout.Token);
        var hang = await RunAsync(server, "/hang", model with { MaxRequests = 4 }, timeout.Token);
        // A port that was free a moment ago and that nobody listens on: connections are refused. A refusal is fast,
        // but on a loaded machine not always within the 300 ms above, which would make it a timeout.
        var refused = await RunAsync(new Uri("http://127.0.0.1:" + Fleet.TestUtilities.FreeTcpPort.Next()), "/ok", model with { RequestTimeout = TimeSpan.FromSeconds(10) }, timeout.Token);

        Assert.Equal(20, status.Metrics.Errors["http-503"]);
        Assert.Equal(4, hang.Metrics.Errors["timeout"]);
        // Latency of a timed-out request is the timeout, give or take scheduling.
        Assert.True(hang.Metrics.Latency.Min >= 290_000, $"min {hang.Metrics.Latency.Min} µs");
        Assert.Equal(20, refused.Metrics.ErrorCount);
        Assert.All(refused.Metrics.Errors.Keys, k => Assert.StartsWith("socket", k, StringComparison.Ordinal));
    }

    private static Task<RunResult> RunAsync(LoopbackServer server, string path, LoadModel model, CancellationToken cancellationToken) =>
        RunAsync(server.BaseUrl, path, model, cancellationToken);

    private static async Task<RunResult> RunAsync(Uri baseUrl, string path, LoadModel model, CancellationToken cancellationToken)
    {
        var scenario = new ScenarioDefinition { Name = "test", Steps = [new StepDefinition { Name = "get", Path = path }] };
        using var http = HttpScenario.CreateClient(baseUrl);
        var requests = new HttpScenario(http, scenario, ScenarioData.Empty, "test");
        return await new LoadEngine(model, requests.SendAsync).RunAsync("test", baseUrl.ToString(), cancellationToken);
    }
}
