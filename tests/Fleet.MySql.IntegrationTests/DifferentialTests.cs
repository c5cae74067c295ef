using System.Data.Common;
using System.Globalization;
using System.Text;
using Fleet.TestUtilities;
using Oracle = MySql.Data.MySqlClient;

namespace Fleet.MySql.IntegrationTests;

/// <summary>
/// The same statements and parameters through MySql.Data 8.0.16 (the oracle) and Fleet.MySql against the same
/// server must give identical values, identical CLR types and identical error numbers.
/// </summary>
[Collection(MySqlServerGroup.Name)]
public sealed class DifferentialTests(MySqlFixture fixture) : IAsyncLifetime
{
    private string _connectionString = string.Empty;

    public static TheoryData<string, string> NastyStrings()
    {
        var data = new TheoryData<string, string>();
        void Add(string name, string value) => data.Add(name, value);
        Add("empty", string.Empty);
        Add("single quote", "O'Brien");
        Add("double quote", "say \"hi\"");
        Add("doubled quotes", "''\"\"''");
        Add("backslash", "C:\\path\\to\\file");
        Add("trailing backslash", "ends with \\");
        Add("backslash quote", "\\'");
        Add("NUL", "a\0b\0");
        Add("control characters", "\n\r\t\x1a\b");
        Add("emoji", "👍🏽 family 👨‍👩‍👧 ok");
        Add("cjk and rtl", "漢字 עברית العربية");
        Add("percent underscore", "100% _done_");
        Add("injection or", "' OR '1'='1");
        Add("injection stacked", "'; DROP TABLE t; --");
        Add("injection backslash", "\\'; DROP TABLE t; -- ");
        Add("injection comment", "*/ SELECT 1 /*");
        Add("placeholder lookalikes", "@p ? @@version :name");
        Add("lone high surrogate", "x\uD83Dy");
        Add("lone low surrogate", "\uDC4D");
        Add("one MiB", new string('\'', 1024 * 1024 / 4) + new string('\\', 1024 * 1024 / 4) + new string('é', 1024 * 1024 / 4));
        return data;
    }

    public async Task InitializeAsync()
    {
        _connectionString = await fixture.CreateDatabaseAsync("diff");
        await using var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("""
            CREATE TABLE text_value (id INT AUTO_INCREMENT PRIMARY KEY, client VARCHAR(10), body LONGTEXT)
            """, connection);
        await command.ExecuteNonQueryAsync();
        await using var types = new MySqlCommand($"""
            CREATE TABLE typed (
              id INT PRIMARY KEY,
              t TINYINT, tu TINYINT UNSIGNED, b TINYINT(1), s SMALLINT, su SMALLINT UNSIGNED,
              m MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, l BIGINT, lu BIGINT UNSIGNED,
              dec1 DECIMAL(20,6), f FLOAT, d DOUBLE, dt DATE, dtm DATETIME(6), dts DATETIME, ts TIMESTAMP(3) NULL,
              tm TIME(6), y YEAR, c CHAR(10), vc VARCHAR(50), tx TEXT, bn BINARY(4), vb VARBINARY(20), bl BLOB,
              j JSON, bt BIT(12), bt1 BIT(1), g CHAR(36), e ENUM('a','b'), st SET('x','y')
            );
            """, connection);
        await types.ExecuteNonQueryAsync();
        await using var rows = new MySqlCommand("""
            INSERT INTO typed VALUES
              (1, -128, 255, 1, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808,
               18446744073709551615, -12345678901234.123456, 1.5, 2.718281828459045, '2024-02-29', '2024-02-29 23:59:58.123456',
               '1999-12-31 00:00:01', '2038-01-19 03:14:07.999', '-838:59:59.000000', 2155, 'char', 'varchar ☃', 'text 👍',
               X'00FF1020', X'DEADBEEF', X'000102', '{"a": [1, 2]}', b'101010101010', b'1', '6f9619ff-8b86-d011-b42d-00c04fc964ff', 'b', 'x,y'),
              (2, 127, 0, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, 0.000001, -3.25e-10, -1e300,
               '1000-01-01', '1000-01-01 00:00:00.000001', '9999-12-31 23:59:59', '1970-01-02 00:00:00', '838:59:59.999999', 1901, '', '', '',
               X'00000000', X'', X'', 'null', b'0', b'0', '00000000-0000-0000-0000-000000000000', 'a', ''),
              (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """, connection);
        await rows.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(NastyStrings))]
    public async Task NastyStringParametersRoundTripIdentically(string name, string value)
    {
        Assert.NotNull(name);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await AssertStringRoundTripsAsync(_connectionString, value, cts.Token);
    }

    /// <summary>
    /// Under NO_BACKSLASH_ESCAPES the oracle is wrong, so it cannot be the reference: MySql.Data 8.0.16 reads
    /// sql_mode but keeps escaping with backslashes, which breaks quotes (syntax errors) and lets
    /// <c>'; DROP TABLE t; --</c> run as a second statement (seen while writing this test). Fleet must return
    /// the input exactly, both when the server default has the mode and when the session switches to it.
    /// </summary>
    [Theory]
    [MemberData(nameof(NastyStrings))]
    public async Task NastyStringParametersRoundTripUnderNoBackslashEscapes(string name, string value)
    {
        Assert.NotNull(name);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));

        // Global, so that the mode arrives in the handshake's status flags. The tests of this collection run one
        // at a time, and unpooled sessions cannot leak the mode into other tests.
        await fixture.ExecuteAsRootAsync("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES');");
        try
        {
            var connectionString = _connectionString + ";Pooling=false";
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cts.Token);
            await using var mode = new MySqlCommand("SELECT @@SESSION.sql_mode", connection);
            Assert.Contains("NO_BACKSLASH_ESCAPES", (string)(await mode.ExecuteScalarAsync(cts.Token))!, StringComparison.Ordinal);
            Assert.Equal(expected, await SelectParameterAsync(new MySqlConnection(connectionString), value, cts.Token));
        }
        finally
        {
            await fixture.ExecuteAsRootAsync("SET GLOBAL sql_mode = REPLACE(@@GLOBAL.sql_mode, 'NO_BACKSLASH_ESCAPES', '');");
        }

        // Switched by the session itself: the OK packet of the SET carries the flag the escaping follows.
        await using var session = new MySqlConnection(_connectionString);
        await session.OpenAsync(cts.Token);
        foreach (var sqlMode in new[] { "NO_BACKSLASH_ESCAPES", "", "ANSI_QUOTES,NO_BACKSLASH_ESCAPES" })
        {
            await using var set = new MySqlCommand($"SET SESSION sql_mode = '{sqlMode}'", session);
            await set.ExecuteNonQueryAsync(cts.Token);
            await using var select = new MySqlCommand("SELECT @p", session);
            select.Parameters.AddWithValue("@p", value);
            Assert.Equal(expected, await select.ExecuteScalarAsync(cts.Token));
        }
    }

    [Fact]
    public async Task EveryColumnTypeReadsAsTheSameValueAndClrType()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var expected = await ReadAllAsync(new Oracle.MySqlConnection(_connectionString), "SELECT * FROM typed ORDER BY id", cts.Token);
        var actual = await ReadAllAsync(new MySqlConnection(_connectionString), "SELECT * FROM typed ORDER BY id", cts.Token);
        Assert.Equal(expected.Types, actual.Types);
        Assert.Equal(expected.Rows.Count, actual.Rows.Count);
        for (var row = 0; row < expected.Rows.Count; row++)
        {
            for (var column = 0; column < expected.Types.Count; column++)
            {
                var label = $"row {row}, column {expected.Names[column]}";
                Assert.True(
                    Equal(expected.Rows[row][column], actual.Rows[row][column]),
                    $"{label}: MySql.Data {Show(expected.Rows[row][column])} vs Fleet {Show(actual.Rows[row][column])}");
            }
        }
    }

    [Fact]
    public async Task ExpressionResultsReadIdentically()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        const string sql = """
            SELECT NULL AS n, 1 AS one, 1.5 AS dec_literal, 1e3 AS dbl_literal, 'x' AS str, NOW(6) > '2000-01-01' AS cmp,
                   CAST(1 AS UNSIGNED) AS uns, CAST(-1 AS SIGNED) AS sgn, CAST('2024-01-02' AS DATE) AS dt,
                   CAST('10:11:12' AS TIME) AS tm, UUID() IS NOT NULL AS u, COUNT(*) AS cnt, SUM(1) AS sm, X'41' AS hex,
                   CONVERT('abc' USING binary) AS bin, JSON_OBJECT('k', 'v') AS js, 18446744073709551615 AS maxu
            """;
        var expected = await ReadAllAsync(new Oracle.MySqlConnection(_connectionString), sql, cts.Token);
        var actual = await ReadAllAsync(new MySqlConnection(_connectionString), sql, cts.Token);
        Assert.Equal(expected.Names, actual.Names);
        Assert.Equal(expected.Types, actual.Types);
        for (var column = 0; column < expected.Types.Count; column++)
        {
            Assert.True(Equal(expected.Rows[0][column], actual.Rows[0][column]), $"column {expected.Names[column]}: {Show(expected.Rows[0][column])} vs {Show(actual.Rows[0][column])}");
        }
    }

    public static TheoryData<string, object?> TypedParameters() => new()
    {
        { "i", 42 },
        { "i", -7L },
        { "lu", ulong.MaxValue },
        { "l", long.MinValue },
        { "tu", (byte)200 },
        { "t", (sbyte)-100 },
        { "s", (short)-30000 },
        { "b", true },
        { "b", false },
        { "dec1", 12345.678901m },
        { "dec1", -0.000001m },
        { "d", 0.1 + 0.2 },
        { "d", double.Epsilon },
        { "d", 1e300 },
        { "f", 3.14159f },
        { "dtm", new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Unspecified).AddTicks(1234560) },
        { "dt", new DateTime(2024, 5, 6, 0, 0, 0, DateTimeKind.Unspecified) },
        { "tm", new TimeSpan(-1, -2, -3, -4, -500) },
        { "tm", TimeSpan.FromHours(800.5) },
        { "vb", new byte[] { 0, 1, 0x27, 0x5C, 0x22, 0xFF } },
        { "vb", Array.Empty<byte>() },
        { "bl", Enumerable.Range(0, 60_000).Select(i => (byte)i).ToArray() },
        { "g", new Guid("0f8fad5b-d9cb-469f-a165-70867728950e") },
        { "vc", 'q' },
        { "vc", null },
        { "i", DBNull.Value },
    };

    [Theory]
    [MemberData(nameof(TypedParameters))]
    public async Task TypedParametersAreStoredIdentically(string column, object? value)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var id = 1000 + Interlocked.Increment(ref _nextId) * 2;
        var oracleId = id + 1;
        await InsertAsync(new Oracle.MySqlConnection(_connectionString), oracleId, column, value, cts.Token);
        await InsertAsync(new MySqlConnection(_connectionString), id, column, value, cts.Token);
        var sql = $"SELECT {column} FROM typed WHERE id IN ({id}, {oracleId}) ORDER BY id";
        var fleet = await ReadAllAsync(new MySqlConnection(_connectionString), sql, cts.Token);
        var oracle = await ReadAllAsync(new Oracle.MySqlConnection(_connectionString), sql, cts.Token);
        Assert.Equal(oracle.Types, fleet.Types);
        Assert.True(Equal(oracle.Rows[1][0], fleet.Rows[0][0]), $"stored by MySql.Data {Show(oracle.Rows[1][0])} vs by Fleet {Show(fleet.Rows[0][0])}");
        Assert.True(Equal(oracle.Rows[0][0], fleet.Rows[0][0]), $"read by MySql.Data {Show(oracle.Rows[0][0])} vs by Fleet {Show(fleet.Rows[0][0])}");
    }

    public static TheoryData<string> FailingStatements() => new()
    {
        "SELECT * FROM no_such_table",
        "SELECT no_such_column FROM typed",
        "SELEC 1",
        "INSERT INTO typed (id) VALUES (1)",
        "INSERT INTO typed (id, t) VALUES (999, 1000)",
        "SELECT 1 FROM typed WHERE id = (SELECT id FROM typed)",
        "CREATE TABLE typed (id INT)",
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom', MYSQL_ERRNO = 1644",
    };

    [Theory]
    [MemberData(nameof(FailingStatements))]
    public async Task FailingStatementsReportTheSameErrorNumber(string sql)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var oracle = await Assert.ThrowsAsync<Oracle.MySqlException>(() => ExecuteAsync(new Oracle.MySqlConnection(_connectionString), sql, cts.Token));
        var fleet = await Assert.ThrowsAsync<MySqlException>(() => ExecuteAsync(new MySqlConnection(_connectionString), sql, cts.Token));
        Assert.Equal(oracle.Number, fleet.Number);
        Assert.Matches("^[0-9A-Z]{5}$", fleet.SqlState); // MySql.Data leaves SqlState null; ours carries the server's.
        Assert.Equal(oracle.Message, fleet.Message);
    }

    private static int _nextId;

    private static async Task AssertStringRoundTripsAsync(string connectionString, string value, CancellationToken cancellationToken)
    {
        var selectedByOracle = await SelectParameterAsync(new Oracle.MySqlConnection(connectionString), value, cancellationToken);
        var selectedByFleet = await SelectParameterAsync(new MySqlConnection(connectionString), value, cancellationToken);
        Assert.Equal(selectedByOracle.GetType(), selectedByFleet.GetType());
        Assert.Equal(selectedByOracle, selectedByFleet);

        // Exactly the input, or for lone surrogates the U+FFFD that Encoding.UTF8 (hence MySql.Data) produces.
        var expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value));
        Assert.Equal(expected, selectedByFleet);

        var marker = Guid.NewGuid().ToString("N")[..10];
        await ExecuteAsync(new Oracle.MySqlConnection(connectionString), "INSERT INTO text_value (client, body) VALUES (@c, @b)", cancellationToken, ("@c", marker), ("@b", value));
        await ExecuteAsync(new MySqlConnection(connectionString), "INSERT INTO text_value (client, body) VALUES (@c, @b)", cancellationToken, ("@c", marker), ("@b", value));
        var stored = await ReadAllAsync(new MySqlConnection(connectionString), $"SELECT body FROM text_value WHERE client = '{marker}' ORDER BY id", cancellationToken);
        Assert.Equal(2, stored.Rows.Count);
        Assert.Equal(stored.Rows[0][0], stored.Rows[1][0]);
        Assert.Equal(expected, stored.Rows[1][0]);
    }

    private static async Task<object> SelectParameterAsync(DbConnection connection, string value, CancellationToken cancellationToken)
    {
        await using (connection)
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT @p";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p";
            parameter.Value = value;
            command.Parameters.Add(parameter);
            return (await command.ExecuteScalarAsync(cancellationToken))!;
        }
    }

    private static async Task InsertAsync(DbConnection connection, int id, string column, object? value, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, $"INSERT INTO typed (id, {column}) VALUES (@id, @v)", cancellationToken, ("@id", id), ("@v", value));

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using (connection)
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<ResultTable> ReadAllAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using (connection)
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToList();
            var rows = new List<object[]>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(values);
            }

            return new ResultTable(names, types, rows);
        }
    }

    private static bool Equal(object expected, object actual) =>
        expected.GetType() == actual.GetType() && (expected is byte[] a && actual is byte[] b ? a.AsSpan().SequenceEqual(b) : expected.Equals(actual));

    private static string Show(object value) => value switch
    {
        byte[] bytes => $"byte[{bytes.Length}] {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 16)))}",
        string s when s.Length > 40 => $"string[{s.Length}]",
        _ => $"{value.GetType().Name} {Convert.ToString(value, CultureInfo.InvariantCulture)}",
    };

    private sealed record ResultTable(List<string> Names, List<Type> Types, List<object[]> Rows);
}
