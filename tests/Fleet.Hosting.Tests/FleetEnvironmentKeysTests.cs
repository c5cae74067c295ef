namespace Fleet.Hosting.Tests;

public sealed class FleetEnvironmentKeysTests
{
    [Theory]
    [InlineData("FLEET_REGION", "Fleet:REGION")]
    [InlineData("FLEET_INSTANCE", "Fleet:INSTANCE")]
    [InlineData("FLEET_DRAIN_DELAY", "Fleet:DRAINDELAY")]
    [InlineData("FLEET_HTTP", "urls")]
    [InlineData("FLEET_NATS", "Nats:Servers")]
    [InlineData("FLEET_MYSQL", "MySql:ConnectionString")]
    [InlineData("FLEET_LOG_DIR", "Fleet:LogDirectory")]
    [InlineData("FLEET_NATS__PINGINTERVAL", "NATS:PINGINTERVAL")]
    [InlineData("FLEET_API__RATE_LIMIT", "API:RATE_LIMIT")]
    public void MapsFleetVariables(string name, string key) =>
        Assert.Equal(key, FleetEnvironmentKeys.Map(name));

    [Theory]
    [InlineData("PATH")]
    [InlineData("FLEET_")]
    [InlineData("FLEET_KIND")]
    [InlineData("NATS_URL")]
    public void IgnoresOtherVariables(string name) => Assert.Null(FleetEnvironmentKeys.Map(name));

    [Theory]
    [InlineData("FLEET_REGION", "Fleet:REGION")]
    [InlineData("Nats__Name", "Nats:Name")]
    [InlineData("PLAIN", "PLAIN")]
    public void MapsDotEnvKeys(string name, string key) => Assert.Equal(key, FleetEnvironmentKeys.MapDotEnv(name));
}
