using Fleet.TestUtilities;

namespace Fleet.Hosting.Tests;

/// <summary>A background service that throws must end the process with a non-zero exit code.</summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class CrashProcessTests(NatsServerFixture nats)
{
    [Fact]
    public async Task CrashedBackgroundServiceExitsOneWithFatalLogLine()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var directory = new TempDirectory("hosting");
        using var worker = TestWorkerProcess.Start(
            ["--region", "eu", "--instance", "crash-1", "--http", $"http://127.0.0.1:{FreeTcpPort.Next()}", "--nats", nats.Url, "--log-dir", directory.Path, "--crash"],
            new Dictionary<string, string> { ["FLEET_DRAIN_DELAY"] = "00:00:00" },
            directory.Path);

        var exitCode = await worker.WaitForExitAsync(cts.Token);

        Assert.Equal(1, exitCode);
        var fatal = Assert.Single(LogFiles.ReadAll(directory.Path), e => LogFiles.Property(e, "ServiceName") == "CrashingWorker");
        Assert.Equal("Fatal", fatal.GetProperty("Level").GetString());
        Assert.Contains("Simulated crash", fatal.GetProperty("Exception").GetString(), StringComparison.Ordinal);
        Assert.Equal("crash-1", LogFiles.Property(fatal, "Instance"));
    }
}
