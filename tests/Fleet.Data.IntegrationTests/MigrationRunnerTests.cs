using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Data.IntegrationTests;

[Collection(MySqlCollection.Name)]
public sealed class MigrationRunnerTests(MySqlFixture mysql)
{
    // The INSERT fails with a duplicate key if V002 ever runs twice, so "applied once" is observable.
    private static readonly Migration[] Migrations =
    [
        new(1, "things", """
            CREATE TABLE IF NOT EXISTS things (id INT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL);
            CREATE TABLE IF NOT EXISTS other_things (id INT NOT NULL PRIMARY KEY);
            """),
        new(2, "seed", """
            -- Not idempotent on purpose.
            INSERT INTO things (id, name) VALUES (1, 'one; with a semicolon inside');
            """),
    ];

    [Fact]
    public async Task AppliesEachMigrationOnceInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = new DbConnectionFactory(MySqlClientFactory.Instance, await mysql.CreateDatabaseAsync("migrate"));
        var runner = new MigrationRunner(db, NullLogger<MigrationRunner>.Instance, TimeSpan.FromSeconds(10));

        Assert.Equal(2, await runner.RunAsync(Migrations, cts.Token));
        Assert.Equal(0, await runner.RunAsync(Migrations, cts.Token));

        await using var connection = await db.OpenAsync(cts.Token);
        var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal([1, 2], versions);
        Assert.Equal("one; with a semicolon inside", await connection.ExecuteScalarAsync<string>("SELECT name FROM things WHERE id = 1"));
    }

    [Fact]
    public async Task ConcurrentRunnersApplyEachMigrationOnce()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = new DbConnectionFactory(MySqlClientFactory.Instance, await mysql.CreateDatabaseAsync("migrate"));
        var runners = Enumerable.Range(0, 4)
            .Select(_ => new MigrationRunner(db, NullLogger<MigrationRunner>.Instance, TimeSpan.FromSeconds(30)))
            .ToList();

        var applied = await Task.WhenAll(runners.Select(r => r.RunAsync(Migrations, cts.Token)));

        Assert.Equal(2, applied.Sum());
        await using var connection = await db.OpenAsync(cts.Token);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM things"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task RefusesAMigrationEditedAfterItRan()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = new DbConnectionFactory(MySqlClientFactory.Instance, await mysql.CreateDatabaseAsync("migrate"));
        var runner = new MigrationRunner(db, NullLogger<MigrationRunner>.Instance, TimeSpan.FromSeconds(10));
        await runner.RunAsync(Migrations, cts.Token);

        Migration[] edited = [Migrations[0] with { Sql = Migrations[0].Sql + "\nCREATE TABLE IF NOT EXISTS sneaky (id INT);" }, Migrations[1]];

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(edited, cts.Token));
        Assert.Contains("changed after it was applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleasesTheLockSoAnotherSessionCanMigrate()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var db = new DbConnectionFactory(MySqlClientFactory.Instance, await mysql.CreateDatabaseAsync("migrate"));
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance, TimeSpan.FromSeconds(10)).RunAsync(Migrations, cts.Token);

        await using var connection = await db.OpenAsync(cts.Token);
        var free = await connection.ExecuteScalarAsync<long>("SELECT IS_FREE_LOCK(LEFT(CONCAT('fleet.migrations.', DATABASE()), 64))");
        Assert.Equal(1, free);
    }

    [Fact]
    public void SplitsStatementsAtLineEndSemicolonsAndSkipsComments()
    {
        var statements = new Migration(1, "x", "-- comment\nCREATE TABLE a (x VARCHAR(5) DEFAULT ';');\n\nINSERT INTO a VALUES ('1');\nSELECT 1").Statements();

        Assert.Equal(["CREATE TABLE a (x VARCHAR(5) DEFAULT ';')", "INSERT INTO a VALUES ('1')", "SELECT 1"], statements);
    }

    [Fact]
    public void LoadsEmbeddedMigrationsByVersion()
    {
        var migrations = Migration.FromEmbeddedResources(typeof(MigrationRunnerTests).Assembly);

        Assert.Equal([1, 2], migrations.Select(m => m.Version));
        Assert.Equal("create_widgets", migrations[0].Name);
    }
}
