using System.Net;
using System.Text.Json;
using Fleet.TestUtilities;

namespace Fleet.Hosting.Tests;

/// <summary>SIGTERM on a real worker: not ready first, in-flight work finishes, clean exit.</summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class DrainProcessTests(NatsServerFixture nats)
{
    [Fact]
    public async Task SigtermReportsNotReadyThenFinishesInFlightRequestAndExitsZero()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var directory = new TempDirectory("hosting");
        var port = FreeTcpPort.Next();
        var baseUrl = $"http://127.0.0.1:{port}";
        using var worker = TestWorkerProcess.Start(
            ["--region", "eu", "--instance", "drain-1", "--http", baseUrl, "--nats", nats.Url, "--log-dir", directory.Path],
            new Dictionary<string, string> { ["FLEET_DRAIN_DELAY"] = "00:00:04", ["FLEET_SHUTDOWN_TIMEOUT"] = "00:00:15" },
            directory.Path);
        using var client = new HttpClient();
        using var slowClient = new HttpClient();
        await worker.WaitForStatusAsync(client, $"{baseUrl}/readyz", HttpStatusCode.OK, cts.Token);

        // The slow endpoint sends its status line at once and its body only after shutdown has begun.
        using var slow = await slowClient.GetAsync($"{baseUrl}/test/slow", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        var slowBody = slow.Content.ReadAsStringAsync(cts.Token);

        await worker.TerminateAsync(cts.Token);

        // A fresh client opens a new connection: the listener still accepts during the drain delay, so
        // HAProxy's health check gets its 503 instead of a refused connection. The 4s delay is the window in
        // which this must be seen; it is generous because the machine is shared and may be slow.
        using var drainClient = new HttpClient();
        var notReady = await worker.WaitForStatusAsync(drainClient, $"{baseUrl}/readyz", HttpStatusCode.ServiceUnavailable, cts.Token);
        using (var document = JsonDocument.Parse(notReady))
        {
            Assert.True(document.RootElement.GetProperty("draining").GetBoolean());
            Assert.Equal("Unhealthy", document.RootElement.GetProperty("checks").GetProperty("draining").GetProperty("status").GetString());
        }

        // Liveness stays green while draining: the process is fine, it is only leaving.
        using (var live = await drainClient.GetAsync($"{baseUrl}/healthz", cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        Assert.Equal("done", await slowBody);
        Assert.Equal(0, await worker.WaitForExitAsync(cts.Token));

        // The order in the log: draining began, and NATS closed after everything else.
        var messages = LogFiles.ReadAll(directory.Path).Select(e => e.GetProperty("RenderedMessage").GetString() ?? string.Empty).ToList();
        var draining = messages.FindIndex(m => m.StartsWith("Draining:", StringComparison.Ordinal));
        var natsClosed = messages.FindIndex(m => m == "NATS connection drained and closed");
        Assert.True(draining >= 0, worker.Describe());
        Assert.True(natsClosed > draining, worker.Describe());
    }
}
