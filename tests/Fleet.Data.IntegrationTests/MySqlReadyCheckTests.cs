using Fleet.MySql;
using Fleet.TestUtilities;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Fleet.Data.IntegrationTests;

[Collection(MySqlCollection.Name)]
public sealed class MySqlReadyCheckTests(MySqlFixture mysql)
{
    [Fact]
    public async Task IsUnhealthyUntilMigrationsHaveRun()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var connectionString = await mysql.CreateDatabaseAsync("ready");
        var state = new MigrationState();
        var check = Create(connectionString, state);

        var before = await check.CheckHealthAsync(new HealthCheckContext(), cts.Token);
        state.MarkCompleted();
        var after = await check.CheckHealthAsync(new HealthCheckContext(), cts.Token);

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal(HealthStatus.Healthy, after.Status);
    }

    [Fact]
    public async Task IsUnhealthyWhenMySqlIsUnreachable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var state = new MigrationState();
        state.MarkCompleted();
        var check = Create($"Server=127.0.0.1;Port={FreeTcpPort.Next()};User ID=nobody;Password=x;Database=none", state);

        var result = await check.CheckHealthAsync(new HealthCheckContext(), cts.Token);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    private static MySqlReadyCheck Create(string connectionString, MigrationState state) =>
        new(
            new DbConnectionFactory(MySqlClientFactory.Instance, connectionString),
            state,
            Options.Create(new DataOptions { ConnectionString = connectionString, ReadyTimeout = TimeSpan.FromSeconds(2) }));
}
