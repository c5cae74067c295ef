using System.Data;
using Dapper;
using Fleet.TestUtilities;

namespace Fleet.MySql.IntegrationTests;

[Collection(MySqlServerGroup.Name)]
public sealed class CommandTests(MySqlFixture fixture) : IAsyncLifetime
{
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        _connectionString = await fixture.CreateDatabaseAsync("cmd");
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE item (
              id INT AUTO_INCREMENT PRIMARY KEY,
              name VARCHAR(100) NOT NULL UNIQUE,
              price DECIMAL(10,2) NULL
            )
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SelectReturnsTypedValues()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("SELECT 1 AS a, 'x' AS b, NULL AS c, 2.5 AS d", connection);
        await using var reader = await command.ExecuteReaderAsync(cts.Token);
        Assert.True(await reader.ReadAsync(cts.Token));
        Assert.Equal(1, reader.GetInt32(0));
        Assert.Equal("x", reader.GetString(reader.GetOrdinal("b")));
        Assert.True(reader.IsDBNull(2));
        Assert.Equal(2.5m, reader.GetDecimal(3));
        Assert.Equal("d", reader.GetName(3));
        Assert.False(await reader.ReadAsync(cts.Token));
        Assert.False(await reader.NextResultAsync(cts.Token));
    }

    [Fact]
    public async Task DapperInsertQueryAndListExpansionWork()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO item (name, price) VALUES (@Name, @Price)",
            new[] { new { Name = "dapper-a", Price = (decimal?)1.25m }, new { Name = "dapper-b", Price = (decimal?)null } },
            cancellationToken: cts.Token));
        Assert.Equal(2, inserted);

        var rows = (await connection.QueryAsync<Item>(new CommandDefinition(
            "SELECT id AS Id, name AS Name, price AS Price FROM item WHERE name IN @names ORDER BY name",
            new { names = SearchedNames },
            cancellationToken: cts.Token))).ToList();
        Assert.Equal(["dapper-a", "dapper-b"], rows.Select(r => r.Name));
        Assert.Equal(1.25m, rows[0].Price);
        Assert.Null(rows[1].Price);

        var single = await connection.QuerySingleAsync<Item>(new CommandDefinition(
            "SELECT id AS Id, name AS Name, price AS Price FROM item WHERE name = @name", new { name = "dapper-a" }, cancellationToken: cts.Token));
        Assert.Equal(rows[0].Id, single.Id);

        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM item WHERE name LIKE @prefix", new { prefix = "dapper-%" }, cancellationToken: cts.Token));
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task InsertReportsLastInsertedIdAndAffectedRows()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("INSERT INTO item (name) VALUES (@n)", connection);
        command.Parameters.AddWithValue("@n", "lid-1");
        Assert.Equal(1, await command.ExecuteNonQueryAsync(cts.Token));
        var first = command.LastInsertedId;
        command.Parameters[0].Value = "lid-2";
        await command.ExecuteNonQueryAsync(cts.Token);
        Assert.True(first > 0);
        Assert.Equal(first + 1, command.LastInsertedId);

        await using var update = new MySqlCommand("UPDATE item SET price = 1 WHERE name IN ('lid-1', 'lid-2')", connection);
        Assert.Equal(2, await update.ExecuteNonQueryAsync(cts.Token));

        // FOUND_ROWS semantics (MySql.Data's default): matched rows count even when unchanged.
        Assert.Equal(2, await update.ExecuteNonQueryAsync(cts.Token));
    }

    [Fact]
    public async Task DuplicateKeyThrowsServerErrorWithNumberAndSqlState()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO item (name) VALUES ('dup')", cancellationToken: cts.Token));
        var error = await Assert.ThrowsAsync<MySqlException>(() =>
            connection.ExecuteAsync(new CommandDefinition("INSERT INTO item (name) VALUES ('dup')", cancellationToken: cts.Token)));
        Assert.Equal(1062, error.Number);
        Assert.Equal(1062, error.ErrorCode);
        Assert.Equal("23000", error.SqlState);

        // The session stays usable after a server error.
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task MultipleResultSetsAreReadInOrderWithAllowBatch()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString + ";AllowBatch=true");
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("SELECT 1; INSERT INTO item (name) VALUES ('batch'); SELECT 'two', 3", connection);
        await using var reader = await command.ExecuteReaderAsync(cts.Token);
        Assert.True(await reader.ReadAsync(cts.Token));
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.True(await reader.NextResultAsync(cts.Token));
        Assert.Equal(2, reader.FieldCount);
        Assert.True(await reader.ReadAsync(cts.Token));
        Assert.Equal("two", reader.GetString(0));
        Assert.False(await reader.NextResultAsync(cts.Token));
        Assert.Equal(1, reader.RecordsAffected);
    }

    [Fact]
    public async Task SecondStatementIsRejectedWithoutAllowBatch()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        var error = await Assert.ThrowsAsync<MySqlException>(() =>
            connection.ExecuteAsync(new CommandDefinition("SELECT 1; DROP TABLE item", cancellationToken: cts.Token)));
        Assert.Equal(1064, error.Number);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'nope'", cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task StoredProcedureReturnsMultipleResultSets()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE PROCEDURE two_sets(IN x INT) BEGIN SELECT x AS a; SELECT x + 1 AS b; END", cancellationToken: cts.Token));
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition(
            "two_sets", new { x = 41 }, commandType: CommandType.StoredProcedure, cancellationToken: cts.Token));
        Assert.Equal(41, await grid.ReadSingleAsync<int>());
        Assert.Equal(42L, await grid.ReadSingleAsync<long>());
    }

    [Fact]
    public async Task TransactionsCommitAndRollBack()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO item (name) VALUES ('tx-rolled-back')", transaction: transaction, cancellationToken: cts.Token));
            await transaction.RollbackAsync(cts.Token);
        }

        await using (var transaction = await connection.BeginTransactionAsync(cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO item (name) VALUES ('tx-committed')", transaction: transaction, cancellationToken: cts.Token));
            await transaction.CommitAsync(cts.Token);
        }

        await using (var transaction = await connection.BeginTransactionAsync(cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO item (name) VALUES ('tx-disposed')", transaction: transaction, cancellationToken: cts.Token));
        }

        var names = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM item WHERE name LIKE 'tx-%'", cancellationToken: cts.Token));
        Assert.Equal(["tx-committed"], names);
    }

    [Fact]
    public async Task IsolationLevelDecidesWhatOtherTransactionsSee()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var writer = new MySqlConnection(_connectionString);
        await writer.OpenAsync(cts.Token);
        await using var writing = await writer.BeginTransactionAsync(cts.Token);
        await writer.ExecuteAsync(new CommandDefinition("INSERT INTO item (name) VALUES ('iso-uncommitted')", transaction: writing, cancellationToken: cts.Token));

        await using var reader = new MySqlConnection(_connectionString);
        await reader.OpenAsync(cts.Token);
        const string count = "SELECT COUNT(*) FROM item WHERE name = 'iso-uncommitted'";
        await using (var dirty = await reader.BeginTransactionAsync(IsolationLevel.ReadUncommitted, cts.Token))
        {
            Assert.Equal(1, await reader.ExecuteScalarAsync<int>(new CommandDefinition(count, transaction: dirty, cancellationToken: cts.Token)));
        }

        await using (var committed = await reader.BeginTransactionAsync(IsolationLevel.ReadCommitted, cts.Token))
        {
            Assert.Equal(0, await reader.ExecuteScalarAsync<int>(new CommandDefinition(count, transaction: committed, cancellationToken: cts.Token)));
        }
    }

    [Fact]
    public async Task ConsecutiveResultSetsOnOneSessionKeepTheirOwnColumnTypes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        foreach (var (sql, type, value) in new (string, Type, object)[]
        {
            ("SELECT 1 AS a, 'x' AS b", typeof(int), 1),
            ("SELECT 1 AS a, 'x' AS b", typeof(int), 1),
            ("SELECT 'one' AS a, 'x' AS b", typeof(string), "one"),
            ("SELECT 2.5 AS a, 'x' AS b", typeof(decimal), 2.5m),
            ("SELECT 1 AS a, 'x' AS b", typeof(int), 1),
        })
        {
            await using var command = new MySqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync(cts.Token);
            Assert.True(await reader.ReadAsync(cts.Token));
            Assert.Equal(type, reader.GetFieldType(0));
            Assert.Equal(value, reader.GetValue(0));
            Assert.Equal("x", reader.GetString(1));
        }
    }

    [Fact]
    public async Task PayloadsOver16MiBAreSplitAndJoined()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await fixture.ExecuteAsRootAsync("SET GLOBAL max_allowed_packet = 67108864;");
        var big = new string('q', (16 * 1024 * 1024) + 100) + "end";
        await using var connection = new MySqlConnection(_connectionString + ";Pooling=false");
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("SELECT LENGTH(@p), RIGHT(@p, 3), @p", connection);
        command.Parameters.AddWithValue("@p", big);
        await using var reader = await command.ExecuteReaderAsync(cts.Token);
        Assert.True(await reader.ReadAsync(cts.Token));
        Assert.Equal(big.Length, reader.GetInt64(0));
        Assert.Equal("end", reader.GetString(1));
        Assert.Equal(big, reader.GetString(2));
    }

    [Fact]
    public async Task HasRowsIsKnownBeforeTheFirstRead()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString + ";AllowBatch=true");
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("SELECT 1 AS x; SELECT 2 AS y FROM DUAL WHERE FALSE", connection);
        await using var reader = await command.ExecuteReaderAsync(cts.Token);
        Assert.True(reader.HasRows);
        Assert.Throws<InvalidOperationException>(() => reader.GetInt32(0));
        Assert.True(await reader.ReadAsync(cts.Token));
        Assert.Equal(1, reader.GetInt32(0));
        Assert.True(reader.HasRows);
        Assert.True(await reader.NextResultAsync(cts.Token));
        Assert.False(reader.HasRows);
        Assert.False(await reader.ReadAsync(cts.Token));
    }

    [Fact]
    public void SyncApiWorks()
    {
        using var connection = new MySqlConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ? + ?";
        command.Parameters.Add(new MySqlParameter { Value = 40 });
        command.Parameters.Add(new MySqlParameter { Value = 2 });
        Assert.Equal(42L, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(42, reader.GetInt32(0));
    }

    [Fact]
    public async Task UndefinedParameterIsAClearErrorAndUserVariablesNeedOptIn()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        var error = await Assert.ThrowsAsync<MySqlException>(() => connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT @missing", cancellationToken: cts.Token)));
        Assert.Equal(MySqlErrorCodes.ParameterNotDefined, error.Number);

        await using var withVariables = new MySqlConnection(_connectionString + ";AllowUserVariables=true");
        await withVariables.OpenAsync(cts.Token);
        await withVariables.ExecuteAsync(new CommandDefinition("SET @v := 7", cancellationToken: cts.Token));
        Assert.Equal(7L, await withVariables.ExecuteScalarAsync<long>(new CommandDefinition("SELECT @v", cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task WarningCountIsReported()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(cts.Token);
        await using var command = new MySqlCommand("SELECT CAST('12abc' AS SIGNED)", connection);
        await using var reader = await command.ExecuteReaderAsync(cts.Token);
        Assert.True(await reader.ReadAsync(cts.Token));
        Assert.Equal(12, reader.GetInt64(0));
        Assert.False(await reader.ReadAsync(cts.Token));
        Assert.Equal(1, reader.WarningCount);
    }

    private static readonly string[] SearchedNames = ["dapper-a", "dapper-b", "missing"];

    private sealed record Item(int Id, string Name, decimal? Price);
}
