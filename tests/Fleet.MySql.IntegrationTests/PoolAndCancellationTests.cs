using System.Diagnostics;
using Dapper;
using Fleet.TestUtilities;

namespace Fleet.MySql.IntegrationTests;

[Collection(MySqlServerGroup.Name)]
public sealed class PoolAndCancellationTests(MySqlFixture fixture) : IAsyncLifetime
{
    private string _connectionString = string.Empty;

    public async Task InitializeAsync() => _connectionString = await fixture.CreateDatabaseAsync("pool");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PooledConnectionIsReusedWithoutANewLogin()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connectionString = _connectionString + ";Application Name=reuse";
        int first;
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            first = connection.ServerThread;
        }

        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            Assert.Equal(first, connection.ServerThread);
            Assert.Equal(first, await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT CONNECTION_ID()", cancellationToken: cts.Token)));
        }
    }

    [Fact]
    public async Task DirtySessionIsResetBeforeReuse()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connectionString = _connectionString + ";Application Name=dirty;AllowUserVariables=true;Maximum Pool Size=1";
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            await connection.ExecuteAsync(new CommandDefinition("SET @leak = 'secret', SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'", cancellationToken: cts.Token));
            await connection.ExecuteAsync(new CommandDefinition("CREATE TEMPORARY TABLE tmp_leak (x INT)", cancellationToken: cts.Token));
            await connection.ExecuteAsync(new CommandDefinition("USE mysql", cancellationToken: cts.Token));
            var transaction = await connection.BeginTransactionAsync(cts.Token);
            Assert.NotNull(transaction);
        }

        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            var row = await connection.QuerySingleAsync<(string? Leak, string Mode, string Db, int InTx)>(new CommandDefinition(
                "SELECT @leak, @@SESSION.sql_mode, DATABASE(), @@in_transaction", cancellationToken: cts.Token));
            Assert.Null(row.Leak);
            Assert.DoesNotContain("NO_BACKSLASH_ESCAPES", row.Mode, StringComparison.Ordinal);
            Assert.Equal(connection.Database, row.Db);
            Assert.Equal(0, row.InTx);
            await connection.ExecuteAsync(new CommandDefinition("CREATE TEMPORARY TABLE tmp_leak (x INT)", cancellationToken: cts.Token));
        }
    }

    [Fact]
    public async Task ExhaustedPoolWaitsAsynchronouslyThenFailsClearly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var connectionString = _connectionString + ";Maximum Pool Size=2;Connection Timeout=1;Application Name=exhaust";
        await using var a = new MySqlConnection(connectionString);
        await using var b = new MySqlConnection(connectionString);
        await a.OpenAsync(cts.Token);
        await b.OpenAsync(cts.Token);

        await using var c = new MySqlConnection(connectionString);
        var error = await Assert.ThrowsAsync<MySqlException>(() => c.OpenAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.ConnectionPoolTimeout, error.Number);
        Assert.Contains("Maximum Pool Size", error.Message, StringComparison.Ordinal);

        // A waiter gets the first connection given back.
        var waiting = c.OpenAsync(cts.Token);
        Assert.False(waiting.IsCompleted);
        await a.CloseAsync();
        await waiting;
        Assert.Equal(System.Data.ConnectionState.Open, c.State);
    }

    [Fact]
    public async Task CancellationStopsSleepWithKillQuery()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        await using var command = new MySqlCommand("SELECT SLEEP(10)", connection);
        var running = command.ExecuteScalarAsync(cancel.Token);
        await WaitUntilRunningAsync(connection.ServerThread, cts.Token);
        var stopwatch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"cancellation took {stopwatch.Elapsed}");

        // KILL QUERY leaves the session usable, and no late kill hits the next statement.
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 5", cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task CancellationWhileStreamingRowsStopsTheResultAndKeepsTheSession()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        await using var command = new MySqlCommand("SELECT seq, SLEEP(0.001) FROM seq_1_to_1000000", connection);
        var rows = 0;
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancel.Token);

            // Bounded: the server stops the statement once the kill arrives.
            while (await reader.ReadAsync(cancel.Token))
            {
                if (++rows == 10)
                {
                    await cancel.CancelAsync();
                }
            }
        });
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.InRange(rows, 10, 999_999);
        Assert.Equal(3, await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 3", cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task CommandTimeoutThrowsTimeoutError()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("SELECT SLEEP(10)", connection) { CommandTimeout = 1 };
        var error = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteScalarAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.CommandTimeoutExpired, error.Number);
        Assert.Equal(7, await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 7", cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task ClearPoolRetiresIdleSessions()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connectionString = _connectionString + ";Application Name=clear";
        int first;
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            first = connection.ServerThread;
            MySqlConnection.ClearPool(connection);
        }

        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            Assert.NotEqual(first, connection.ServerThread);
        }
    }

    [Fact]
    public async Task IdleSessionClosedByTheServerIsReplacedOnCheckout()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connectionString = _connectionString + ";Application Name=killed-idle";
        int first;
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            first = connection.ServerThread;
        }

        await fixture.ExecuteAsRootAsync($"KILL CONNECTION {first};");
        await using (var connection = new MySqlConnection(connectionString))
        {
            // Bounded by the test's token: the server closes the socket asynchronously after KILL.
            await connection.OpenAsync(cts.Token);
            Assert.NotEqual(first, connection.ServerThread);
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cts.Token)));
        }
    }

    [Fact]
    public async Task ConnectionPastItsLifetimeIsNotReused()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connectionString = _connectionString + ";Connection Lifetime=1;Application Name=lifetime";
        int first;
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            first = connection.ServerThread;

            // Held across the lifetime on purpose: the age is what is being tested.
            await connection.ExecuteAsync(new CommandDefinition("DO SLEEP(1.1)", cancellationToken: cts.Token));
        }

        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync(cts.Token);
            Assert.NotEqual(first, connection.ServerThread);
        }
    }

    [Fact]
    public async Task ClosingAnUnpooledConnectionSendsQuit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var monitor = new MySqlConnection(_connectionString);
        await monitor.OpenAsync(cts.Token);
        const string aborted = "SELECT VARIABLE_VALUE FROM information_schema.global_status WHERE VARIABLE_NAME = 'ABORTED_CLIENTS'";
        var before = await monitor.ExecuteScalarAsync<long>(new CommandDefinition(aborted, cancellationToken: cts.Token));
        for (var i = 0; i < 3; i++)
        {
            await using var connection = new MySqlConnection(_connectionString + ";Pooling=false");
            await connection.OpenAsync(cts.Token);
        }

        // A closed socket without COM_QUIT counts as an aborted client, so an unchanged count proves the quit.
        Assert.Equal(before, await monitor.ExecuteScalarAsync<long>(new CommandDefinition(aborted, cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task UnixSocketConnectionWorks()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.NotNull(fixture.SocketPath);
        var connectionString = $"Server={fixture.SocketPath};User ID={MySqlFixture.User};Password={MySqlFixture.Password}";
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cts.Token);
        Assert.Equal("localhost", await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()", cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task WrongPasswordIsAccessDenied()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={fixture.Port};User ID={MySqlFixture.User};Password=wrong;SslMode=None");
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(cts.Token));
        Assert.Equal(1045, error.Number);
    }

    [Fact]
    public async Task RequiredTlsFailsClearlyWhenTheServerHasNone()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={fixture.Port};User ID={MySqlFixture.User};Password={MySqlFixture.Password};SslMode=Required");
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.OpenAsync(cts.Token));
        Assert.Equal(MySqlErrorCodes.SslConnectionError, error.Number);
    }

    private async Task WaitUntilRunningAsync(int threadId, CancellationToken cancellationToken)
    {
        await using var monitor = new MySqlConnection(_connectionString);
        await monitor.OpenAsync(cancellationToken);

        // Bounded by the test's token.
        while (await monitor.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM information_schema.processlist WHERE id = @id AND info LIKE 'SELECT SLEEP%'", new { id = threadId }, cancellationToken: cancellationToken)) == 0)
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
