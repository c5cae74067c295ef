using System.Net;
using System.Text.Json;
using Fleet.TestUtilities;

namespace Fleet.Hosting.Tests;

/// <summary>/healthz and /readyz of a real worker against a real nats-server that starts after the worker.</summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class NatsReadinessProcessTests
{
    [Fact]
    public async Task ReadyOnlyOnceNatsIsUpWhileAliveThroughout()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var directory = new TempDirectory("hosting");

        // Not started yet: the port is reserved in the fixture, nothing listens on it.
        var nats = new NatsServerFixture();
        try
        {
            var port = FreeTcpPort.Next();
            using var worker = TestWorkerProcess.Start(
                ["--region", "eu", "--instance", "ready-1", "--http", $"http://127.0.0.1:{port}", "--nats", nats.Url, "--log-dir", directory.Path],
                workingDirectory: directory.Path);
            using var client = new HttpClient();

            var live = await worker.WaitForStatusAsync(client, $"http://127.0.0.1:{port}/healthz", HttpStatusCode.OK, cts.Token);
            using (var document = JsonDocument.Parse(live))
            {
                Assert.Equal("Healthy", document.RootElement.GetProperty("status").GetString());
                Assert.False(document.RootElement.GetProperty("draining").GetBoolean());
            }

            using (var response = await client.GetAsync($"http://127.0.0.1:{port}/readyz", cts.Token))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
                Assert.Equal("Unhealthy", document.RootElement.GetProperty("status").GetString());
                var check = document.RootElement.GetProperty("checks").GetProperty("nats");
                Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
                Assert.True(check.GetProperty("durationMs").GetDouble() >= 0);
                Assert.Equal("Healthy", document.RootElement.GetProperty("checks").GetProperty("draining").GetProperty("status").GetString());
            }

            await nats.InitializeAsync();

            var ready = await worker.WaitForStatusAsync(client, $"http://127.0.0.1:{port}/readyz", HttpStatusCode.OK, cts.Token);
            using (var document = JsonDocument.Parse(ready))
            {
                Assert.Equal("Healthy", document.RootElement.GetProperty("status").GetString());
                Assert.Equal("Healthy", document.RootElement.GetProperty("checks").GetProperty("nats").GetProperty("status").GetString());
            }

            await worker.TerminateAsync(cts.Token);
            Assert.Equal(0, await worker.WaitForExitAsync(cts.Token));
            Assert.Contains(LogFiles.ReadAll(directory.Path), e => LogFiles.Property(e, "SourceContext") == "Fleet.Hosting.NatsConnectionService"
                && e.GetProperty("RenderedMessage").GetString() == "NATS connection drained and closed");
        }
        finally
        {
            await nats.DisposeAsync();
        }
    }
}
