using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Hosting.Tests;

public sealed class FleetHostingExtensionsTests
{
    [Fact]
    public async Task TwoHostsInOneProcessKeepWritingTheirOwnLogFiles()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var first = new TempDirectory("hosting");
        using var second = new TempDirectory("hosting");
        try
        {
            await using var a = Build("in-process-a", first.Path, NoDrainDelay());
            await a.StartAsync(cts.Token);
            await using (var b = Build("in-process-b", second.Path, NoDrainDelay()))
            {
                await b.StartAsync(cts.Token);

                // Building b must not have closed a's logger, and stopping b must not close it either.
                a.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Test").LogInformation("Line from {Host}", "a");
                b.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Test").LogInformation("Line from {Host}", "b");
                await b.StopAsync(cts.Token);
            }

            a.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Test").LogInformation("Line from {Host}", "a after b");
            await a.StopAsync(cts.Token);
            Serilog.Log.Logger = Serilog.Core.Logger.None;
            await a.DisposeAsync();

            var fromA = LogFiles.ReadAll(first.Path).Select(e => LogFiles.Property(e, "Host")).OfType<string>().ToList();
            var fromB = LogFiles.ReadAll(second.Path).Select(e => LogFiles.Property(e, "Host")).OfType<string>().ToList();
            Assert.Equal(["a", "a after b"], fromA);
            Assert.Equal(["b"], fromB);
        }
        finally
        {
            Serilog.Log.Logger = Serilog.Core.Logger.None;
        }
    }

    [Theory]
    [InlineData(null, 25)]
    [InlineData("00:00:07", 7)]
    public async Task ShutdownTimeoutComesFromTheFinalConfiguration(string? lateValue, int expectedSeconds)
    {
        using var directory = new TempDirectory("hosting");
        try
        {
            await using var app = Build("in-process-timeout", directory.Path, lateValue is null ? [] : new() { ["Fleet:ShutdownTimeout"] = lateValue });

            var host = app.Services.GetRequiredService<IOptions<HostOptions>>().Value;

            Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), host.ShutdownTimeout);
            Assert.Equal(BackgroundServiceExceptionBehavior.StopHost, host.BackgroundServiceExceptionBehavior);
        }
        finally
        {
            Serilog.Log.Logger = Serilog.Core.Logger.None;
        }
    }

    private static Dictionary<string, string?> NoDrainDelay() => new() { ["Fleet:DrainDelay"] = "00:00:00" };

    private static WebApplication Build(string instance, string logDirectory, Dictionary<string, string?>? addedAfterDefaults = null)
    {
        string[] args = ["--region", "eu", "--instance", instance, "--http", $"http://127.0.0.1:{FreeTcpPort.Next()}", "--log-dir", logDirectory];
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddFleetDefaults(args, kind: "test");
        builder.Configuration.AddInMemoryCollection(addedAfterDefaults ?? []);
        return builder.Build();
    }
}
