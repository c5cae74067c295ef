using System.Net;
using Fleet.TestUtilities;

namespace Fleet.Hosting.Tests;

/// <summary>The JSON-lines log file of a real worker: identity on every line, the request id on request lines.</summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class LoggingProcessTests(NatsServerFixture nats)
{
    [Fact]
    public async Task LogLinesCarryIdentityAndTheIncomingRequestId()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var directory = new TempDirectory("hosting");
        var port = FreeTcpPort.Next();
        var baseUrl = $"http://127.0.0.1:{port}";
        using var worker = TestWorkerProcess.Start(
            ["--region", "eu", "--instance", "log-1", "--http", baseUrl, "--nats", nats.Url, "--log-dir", directory.Path],
            new Dictionary<string, string> { ["FLEET_DRAIN_DELAY"] = "00:00:00" },
            directory.Path);
        using var client = new HttpClient();
        await worker.WaitForStatusAsync(client, $"{baseUrl}/healthz", HttpStatusCode.OK, cts.Token);

        using var withId = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/test/log");
        withId.Headers.Add("X-Request-ID", "haproxy-7f3a-0001");
        using var echoed = await client.SendAsync(withId, cts.Token);
        using var generated = await client.GetAsync($"{baseUrl}/test/log", cts.Token);

        Assert.Equal("haproxy-7f3a-0001", Assert.Single(echoed.Headers.GetValues("X-Request-ID")));
        Assert.Equal("haproxy-7f3a-0001", await echoed.Content.ReadAsStringAsync(cts.Token));
        var generatedId = Assert.Single(generated.Headers.GetValues("X-Request-ID"));
        Assert.Matches("^[0-9a-f]{32}$", generatedId);
        Assert.Equal(generatedId, await generated.Content.ReadAsStringAsync(cts.Token));

        await worker.TerminateAsync(cts.Token);
        Assert.Equal(0, await worker.WaitForExitAsync(cts.Token));

        var events = LogFiles.ReadAll(directory.Path);
        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            Assert.Equal("eu", LogFiles.Property(e, "Region"));
            Assert.Equal("log-1", LogFiles.Property(e, "Instance"));
            Assert.Equal("test", LogFiles.Property(e, "Kind"));
            Assert.True(e.TryGetProperty("Timestamp", out _));
        });
        var requestLines = events.Where(e => e.GetProperty("MessageTemplate").GetString() == "Handled test request for {Purpose}").ToList();
        Assert.Equal(2, requestLines.Count);
        Assert.Contains(requestLines, e => LogFiles.Property(e, "RequestId") == "haproxy-7f3a-0001");
        Assert.Contains(requestLines, e => LogFiles.Property(e, "RequestId") == generatedId);
        Assert.Single(Directory.GetFiles(directory.Path, "test-log-1-*.jsonl"));
    }
}
