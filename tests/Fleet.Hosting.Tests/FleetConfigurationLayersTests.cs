using System.Collections;
using Fleet.TestUtilities;
using Microsoft.Extensions.Configuration;

namespace Fleet.Hosting.Tests;

public sealed class FleetConfigurationLayersTests
{
    [Fact]
    public async Task EachLayerBeatsTheOnesBelowIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var directory = new TempDirectory("hosting");
        var appsettings = Path.Combine(directory.Path, "appsettings.json");
        var extra = Path.Combine(directory.Path, "extra.json");
        var envFile = Path.Combine(directory.Path, "fleet.env");
        await File.WriteAllTextAsync(appsettings, """{ "Fleet": { "Region": "a", "Instance": "a", "LogDirectory": "a", "DrainDelay": "a", "ShutdownTimeout": "a" } }""", cts.Token);
        await File.WriteAllTextAsync(extra, """{ "Fleet": { "Region": "c", "Instance": "c", "LogDirectory": "c", "DrainDelay": "c" } }""", cts.Token);
        await File.WriteAllLinesAsync(envFile, ["FLEET_REGION=d", "FLEET_INSTANCE=d", "FLEET_LOG_DIR=d"], cts.Token);
        var configuration = new ConfigurationManager();
        configuration.AddJsonFile(appsettings);
        var options = FleetCommandLine.Parse<FleetCliOptions>(["--region", "f", "--config", extra, "--env-file", envFile]).Options!;
        var environment = new Hashtable { ["FLEET_REGION"] = "e", ["FLEET_INSTANCE"] = "e", ["UNRELATED"] = "x" };

        FleetConfigurationLayers.Add(configuration, options, "api", environment);

        Assert.Equal("f", configuration["Fleet:Region"]);
        Assert.Equal("e", configuration["Fleet:Instance"]);
        Assert.Equal("d", configuration["Fleet:LogDirectory"]);
        Assert.Equal("c", configuration["Fleet:DrainDelay"]);
        Assert.Equal("a", configuration["Fleet:ShutdownTimeout"]);
        Assert.Equal("api", configuration["Fleet:Kind"]);
        Assert.Null(configuration["UNRELATED"]);
    }

    [Fact]
    public void KindFromCodeCannotBeOverridden()
    {
        var configuration = new ConfigurationManager();
        var options = FleetCommandLine.Parse<FleetCliOptions>(["--region", "eu", "--env-file", "/dev/null"]).Options!;

        FleetConfigurationLayers.Add(configuration, options, "sync", new Hashtable { ["FLEET_FLEET__KIND"] = "api" });

        Assert.Equal("sync", configuration["Fleet:Kind"]);
    }
}
