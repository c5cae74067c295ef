using System.Net;
using System.Text.Json;
using Fleet.TestUtilities;

namespace Fleet.Hosting.Tests;

/// <summary>The command line and configuration layering as a real worker process experiences them.</summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class CommandLineProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HelpPrintsUsageAndExitsZero()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var worker = TestWorkerProcess.Start(["--help"]);

        var exitCode = await worker.WaitForExitAsync(cts.Token);

        Assert.Equal(0, exitCode);
        foreach (var flag in new[] { "--region", "--instance", "--http", "--nats", "--mysql", "--log-dir", "--env-file", "--config", "--crash" })
        {
            Assert.Contains(flag, worker.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Empty(worker.StandardError);
    }

    [Theory]
    [InlineData("Option 'bogus' is unknown", "--bogus", "1")]
    [InlineData("--http: 'notaurl'", "--http", "notaurl")]
    [InlineData("--nats: 'http:///x'", "--nats", "http:///x")]
    [InlineData("--env-file: '/nonexistent/fleet.env' does not exist", "--env-file", "/nonexistent/fleet.env")]
    [InlineData("--config: '/nonexistent/fleet.json' does not exist", "--config", "/nonexistent/fleet.json")]
    [InlineData("--region: a value is required", "--region")]
    public async Task BadCommandLineExitsTwoWithOneLineOnStderr(string expectedReason, params string[] args)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var worker = TestWorkerProcess.Start(args);

        var exitCode = await worker.WaitForExitAsync(cts.Token);

        Assert.Equal(2, exitCode);
        var stderr = worker.StandardError.TrimEnd('\n');
        Assert.Single(stderr.Split('\n'));
        Assert.Contains(expectedReason, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", worker.StandardOutput + worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedEnvFileExitsTwoNamingTheLine()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var directory = new TempDirectory("hosting");
        var envFile = Path.Combine(directory.Path, "bad.env");
        await File.WriteAllLinesAsync(envFile, ["# fine", "FLEET_REGION=eu", "this line has no equals sign"], cts.Token);
        using var worker = TestWorkerProcess.Start(["--env-file", envFile]);

        var exitCode = await worker.WaitForExitAsync(cts.Token);

        Assert.Equal(2, exitCode);
        Assert.Single(worker.StandardError.TrimEnd('\n').Split('\n'));
        Assert.Contains("bad.env:3: expected KEY=VALUE", worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidConfigurationExitsTwoWithOneLineAndNoStackTrace()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var directory = new TempDirectory("hosting");
        using var worker = TestWorkerProcess.Start(
            ["--region", "Not A Region", "--http", $"http://127.0.0.1:{FreeTcpPort.Next()}", "--log-dir", directory.Path],
            workingDirectory: directory.Path);

        var exitCode = await worker.WaitForExitAsync(cts.Token);

        Assert.Equal(2, exitCode);
        var stderr = worker.StandardError.TrimEnd('\n');
        Assert.Single(stderr.Split('\n'));
        Assert.Contains("Fleet:Region", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", worker.StandardOutput + worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DrainDelayNotBelowShutdownTimeoutIsRejected()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var directory = new TempDirectory("hosting");
        using var worker = TestWorkerProcess.Start(
            ["--region", "eu", "--http", $"http://127.0.0.1:{FreeTcpPort.Next()}", "--log-dir", directory.Path],
            new Dictionary<string, string> { ["FLEET_DRAIN_DELAY"] = "00:00:30", ["FLEET_SHUTDOWN_TIMEOUT"] = "00:00:10" },
            directory.Path);

        var exitCode = await worker.WaitForExitAsync(cts.Token);

        Assert.Equal(2, exitCode);
        Assert.Contains("Fleet:DrainDelay must be shorter than Fleet:ShutdownTimeout", worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlagBeatsEnvironmentBeatsDotEnvBeatsAppSettings()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var directory = new TempDirectory("hosting");
        var port = FreeTcpPort.Next();
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "appsettings.json"), """
            {
              "Fleet": { "Region": "appsettings", "Instance": "appsettings-1", "DrainDelay": "00:00:01" },
              "MySql": { "ConnectionString": "Server=appsettings" },
              "Nats": { "Servers": [ "nats://127.0.0.1:3" ] },
              "Custom": { "Value": "appsettings" }
            }
            """, cts.Token);

        // No --env-file: ./.env in the working directory is the default.
        await File.WriteAllLinesAsync(Path.Combine(directory.Path, ".env"),
        [
            "# layered below the environment",
            "FLEET_REGION=dotenv",
            "export FLEET_INSTANCE='dotenv-1'",
            "FLEET_MYSQL=\"Server=dotenv;Password=a#b\"  # quoted, with a hash inside",
            "FLEET_DRAIN_DELAY=00:00:02",
        ], cts.Token);
        using var worker = TestWorkerProcess.Start(
            ["--region", "flag", "--http", $"http://127.0.0.1:{port}", "--log-dir", Path.Combine(directory.Path, "logs")],
            new Dictionary<string, string>
            {
                ["FLEET_REGION"] = "environment",
                ["FLEET_INSTANCE"] = "environment-1",
                ["FLEET_NATS"] = "nats://127.0.0.1:1, nats://127.0.0.1:2",
            },
            directory.Path);
        using var client = new HttpClient();

        var body = await worker.WaitForStatusAsync(client, $"http://127.0.0.1:{port}/test/config", HttpStatusCode.OK, cts.Token);

        var config = JsonSerializer.Deserialize<Dictionary<string, string?>>(body)!;
        Assert.Equal("flag", config["region"]);
        Assert.Equal("environment-1", config["instance"]);
        Assert.Equal("Server=dotenv;Password=a#b", config["mysql"]);
        Assert.Equal("00:00:02", config["drainDelay"]);
        Assert.Equal("appsettings", config["custom"]);
        Assert.Equal("test", config["kind"]);

        // The environment's list replaces the appsettings list and the client's default, it is not appended.
        Assert.Equal("nats://127.0.0.1:1,nats://127.0.0.1:2", config["natsServers"]);
    }
}
