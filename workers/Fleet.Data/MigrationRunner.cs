using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Fleet.Data;

/// <summary>
/// Applies versioned migrations once each, in order, recording them in <c>schema_migrations</c>.
/// Two instances starting together serialise on a named server lock (<c>GET_LOCK</c>), so a migration is
/// never applied twice; the second instance finds it recorded and does nothing.
/// </summary>
public sealed class MigrationRunner
{
    private readonly DbConnectionFactory _db;
    private readonly ILogger<MigrationRunner> _logger;
    private readonly TimeSpan _lockTimeout;

    /// <summary>Creates a runner.</summary>
    /// <param name="db">The worker's database.</param>
    /// <param name="logger">Where applied migrations are logged.</param>
    /// <param name="lockTimeout">How long to wait for another instance that holds the migration lock.</param>
    public MigrationRunner(DbConnectionFactory db, ILogger<MigrationRunner> logger, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(logger);
        _db = db;
        _logger = logger;
        _lockTimeout = lockTimeout;
    }

    /// <summary>Applies the migrations that are not recorded yet.</summary>
    /// <param name="migrations">Every migration of the worker, in any order.</param>
    /// <param name="cancellationToken">Cancels between statements.</param>
    /// <returns>The number of migrations applied by this call.</returns>
    /// <exception cref="TimeoutException">Another instance held the lock longer than the lock timeout.</exception>
    /// <exception cref="InvalidOperationException">An applied migration's text changed since it ran.</exception>
    public async Task<int> RunAsync(IEnumerable<Migration> migrations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        await using var connection = await _db.OpenAsync(cancellationToken);

        // GET_LOCK belongs to this session, so every statement below runs on this one connection. Lock names
        // are server-wide; the schema name keeps workers sharing a server out of each other's way (64 chars max).
        var locked = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT GET_LOCK(LEFT(CONCAT('fleet.migrations.', DATABASE()), 64), @seconds)",
            new { seconds = (int)Math.Ceiling(_lockTimeout.TotalSeconds) },
            cancellationToken: cancellationToken));
        if (locked != 1)
        {
            throw new TimeoutException($"Another instance held the migration lock for more than {_lockTimeout}.");
        }

        try
        {
            return await ApplyPendingAsync(connection, ordered, cancellationToken);
        }
        finally
        {
            // Pooled sessions outlive this method; a lock left behind would block every other instance.
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT RELEASE_LOCK(LEFT(CONCAT('fleet.migrations.', DATABASE()), 64))", cancellationToken: CancellationToken.None));
        }
    }

    private async Task<int> ApplyPendingAsync(DbConnection connection, List<Migration> migrations, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INT NOT NULL PRIMARY KEY,
                name VARCHAR(200) NOT NULL,
                checksum CHAR(64) NOT NULL,
                applied_at DATETIME(6) NOT NULL
            ) ENGINE=InnoDB
            """,
            cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<(int Version, string Checksum)>(new CommandDefinition(
            "SELECT version, checksum FROM schema_migrations", cancellationToken: cancellationToken)))
            .ToDictionary(row => row.Version, row => row.Checksum);

        var count = 0;
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Migration V{migration.Version:D3} {migration.Name} changed after it was applied; add a new migration instead.");
                }

                continue;
            }

            // DDL commits implicitly in MySQL, so the transaction only makes DML-only migrations atomic; the
            // statements themselves are written idempotent so a half-applied migration can run again.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var statement in migration.Statements())
            {
                await connection.ExecuteAsync(new CommandDefinition(statement, transaction: transaction, cancellationToken: cancellationToken));
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, UTC_TIMESTAMP(6))",
                new { migration.Version, migration.Name, migration.Checksum },
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            count++;
            _logger.LogInformation("Applied migration {MigrationVersion} {MigrationName}", migration.Version, migration.Name);
        }

        return count;
    }
}
