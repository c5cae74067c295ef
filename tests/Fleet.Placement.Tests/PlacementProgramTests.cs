using System.Diagnostics;
using System.Text.Json;

namespace Fleet.Placement.Tests;

/// <summary>The program as Ansible runs it: a real process, JSON in, JSON out, exit codes 0 / 1 / 2.</summary>
public sealed class PlacementProgramTests : IDisposable
{
    private const string Fits = """
        {
          "safety_margin": 0.1,
          "hosts": [
            { "name": "d1", "region": "eu", "cpu_cores": 4, "memory_mb": 8192, "memory_available_mb": 6000, "load1": 1.0,
              "reserve_cpu": 0.5, "reserve_memory_mb": 1024 },
            { "name": "d2", "region": "eu", "cpu_cores": 4, "memory_mb": 8192, "memory_available_mb": 4000, "load1": 2.0 },
            { "name": "ded", "region": "eu", "dedicated": true, "cpu_cores": 16, "memory_mb": 32768, "memory_available_mb": 32000 }
          ],
          "workers": [ { "region": "eu", "kind": "api", "replicas": 2, "cpu": 0.5, "memory_mb": 256 } ],
          "current": { "fleet-eu-api-1": "d2" }
        }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("fleet-placement-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task WritesThePlanAndExitsZeroWhenEverythingFits()
    {
        var (exitCode, stdout, _) = await RunAsync(Fits, "--input", Input(Fits));

        Assert.Equal(0, exitCode);
        using var plan = JsonDocument.Parse(stdout);
        Assert.True(plan.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("fleet-eu-api-1", plan.RootElement.GetProperty("by_host").GetProperty("d2")[0].GetString());
        Assert.Equal("fleet-eu-api-2", plan.RootElement.GetProperty("by_host").GetProperty("d1")[0].GetString());
    }

    [Fact]
    public async Task TargetDedicatedMovesEverythingToTheDedicatedHost()
    {
        var (exitCode, stdout, _) = await RunAsync(Fits, "--input", Input(Fits), "--target", "dedicated");

        Assert.Equal(0, exitCode);
        using var plan = JsonDocument.Parse(stdout);
        Assert.Equal(2, plan.RootElement.GetProperty("by_host").GetProperty("ded").GetArrayLength());
    }

    [Fact]
    public async Task ExitsOneAndNamesWhatDoesNotFit()
    {
        var (exitCode, stdout, stderr) = await RunAsync(Fits, "--input", Input(Fits), "--exclude", "d1,d2");

        Assert.Equal(1, exitCode);
        using var plan = JsonDocument.Parse(stdout);
        Assert.False(plan.RootElement.GetProperty("ok").GetBoolean());
        Assert.Contains("not placed: fleet-eu-api-1: no eligible host in region 'eu'", stderr, StringComparison.Ordinal);
        Assert.Contains("not placed: fleet-eu-api-2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainWithOutputPrintsTheTableAndWritesTheJsonFile()
    {
        var output = Path.Combine(_dir, "plan.json");

        var (exitCode, stdout, _) = await RunAsync(Fits, "--input", Input(Fits), "--explain", "--output", output);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("HOST", stdout, StringComparison.Ordinal);
        Assert.Contains("2 placed, 1 kept where they ran, 0 not placed", stdout, StringComparison.Ordinal);
        using var plan = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.True(plan.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task ReadsStdinWhenInputIsDash()
    {
        var (exitCode, stdout, _) = await RunAsync(Fits, "--input", "-");

        Assert.Equal(0, exitCode);
        Assert.Contains("\"ok\": true", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"hosts\": [], \"workers\": [], \"replica\": 3 }")]
    [InlineData("{ \"hosts\": [ { \"name\": \"a\", \"region\": \"eu\" }, { \"name\": \"a\", \"region\": \"eu\" } ] }")]
    [InlineData("not json")]
    public async Task ExitsTwoOnBadInput(string json)
    {
        var (exitCode, _, stderr) = await RunAsync(json, "--input", Input(json));

        Assert.Equal(2, exitCode);
        Assert.NotEmpty(stderr);
    }

    [Fact]
    public async Task ExitsTwoOnAnUnknownOption()
    {
        var (exitCode, _, _) = await RunAsync(Fits, "--input", Input(Fits), "--bogus");

        Assert.Equal(2, exitCode);
    }

    private string Input(string json)
    {
        var path = Path.Combine(_dir, $"request-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string stdin, params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Fleet.Placement.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        try
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
