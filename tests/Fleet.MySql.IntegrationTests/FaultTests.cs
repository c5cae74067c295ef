using Dapper;
using Fleet.TestUtilities;

namespace Fleet.MySql.IntegrationTests;

/// <summary>Destructive tests: each gets its own MariaDB, which it kills.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private readonly MySqlFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task ServerKilledMidQueryFailsTheCommandAndTheNextCheckoutDoesNotHang()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var connectionString = _server.ConnectionString + ";Connection Timeout=3";
        await using (var idle = new MySqlConnection(connectionString))
        {
            // Leaves an idle pooled session behind, which the kill breaks.
            await idle.OpenAsync(cts.Token);
            await using var other = new MySqlConnection(connectionString);
            await other.OpenAsync(cts.Token);
        }

        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cts.Token);
        var running = connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT SLEEP(20)", cancellationToken: cts.Token));
        await using (var monitor = new MySqlConnection(_server.ConnectionString + ";Pooling=false"))
        {
            await monitor.OpenAsync(cts.Token);

            // Bounded by the test's token: wait until the server is really executing the statement.
            while (await monitor.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(20)%'", cancellationToken: cts.Token)) == 0)
            {
                await Task.Delay(20, cts.Token);
            }
        }

        _server.Kill();
        var error = await Assert.ThrowsAsync<MySqlException>(() => running);
        Assert.Equal(MySqlErrorCodes.ServerLost, error.Number);

        // The pooled session is dead: the next open must not hand it out, and fails clearly (server is down).
        await using var next = new MySqlConnection(connectionString);
        var openError = await Assert.ThrowsAsync<MySqlException>(() => next.OpenAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.UnableToConnectToHost, openError.Number);
    }
}
