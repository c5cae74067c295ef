using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Fleet.Data;

/// <summary>Ready when MySQL answers <c>SELECT 1</c> within <see cref="DataOptions.ReadyTimeout"/> and the migrations have run.</summary>
public sealed class MySqlReadyCheck : IHealthCheck
{
    private readonly DbConnectionFactory _db;
    private readonly MigrationState _migrations;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the check.</summary>
    /// <param name="db">The worker's database.</param>
    /// <param name="migrations">The migration state.</param>
    /// <param name="options">The data options.</param>
    public MySqlReadyCheck(DbConnectionFactory db, MigrationState migrations, IOptions<DataOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _db = db;
        _migrations = migrations;
        _timeout = options.Value.ReadyTimeout;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_migrations.IsCompleted)
        {
            return HealthCheckResult.Unhealthy($"Migrations have not run yet: {_migrations.LastError ?? "in progress"}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            await using var connection = await _db.OpenAsync(timeout.Token);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"MySQL did not answer within {_timeout}.");
        }
#pragma warning disable CA1031 // Every failure to reach MySQL means "not ready"; the check must not throw.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("MySQL is unreachable.", ex);
        }
    }
}
