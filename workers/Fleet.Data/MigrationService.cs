using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Data;

/// <summary>
/// Runs the worker's migrations in the background, retrying with backoff while MySQL is unreachable, so the
/// worker starts, reports not ready, and becomes ready once the database is reachable and migrated.
/// </summary>
public sealed class MigrationService : BackgroundService
{
    // Long enough not to hammer a MySQL that is restarting, short enough that readiness follows it quickly.
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly MigrationRunner _runner;
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly MigrationState _state;
    private readonly ILogger<MigrationService> _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="runner">The runner.</param>
    /// <param name="migrations">The worker's migrations.</param>
    /// <param name="state">Where completion is recorded for the ready check.</param>
    /// <param name="logger">The logger.</param>
    public MigrationService(MigrationRunner runner, IReadOnlyList<Migration> migrations, MigrationState state, ILogger<MigrationService> logger)
    {
        _runner = runner;
        _migrations = migrations;
        _state = state;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var applied = await _runner.RunAsync(_migrations, stoppingToken);
                _state.MarkCompleted();
                _logger.LogInformation("Database schema is current; applied {MigrationCount} migrations", applied);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("changed after it was applied", StringComparison.Ordinal))
            {
                // An edited migration is a deployment error no retry fixes: crash so the supervisor reports it.
                _logger.LogCritical(ex, "Migrations are inconsistent with the database");
                Environment.ExitCode = 1;
                throw;
            }
#pragma warning disable CA1031 // Any failure to reach or migrate MySQL is retried; the worker stays not ready meanwhile.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _state.MarkFailed(ex.Message);
                _logger.LogWarning("Migrations failed, retrying in {RetryDelay}: {Error}", delay, ex.Message);
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }
}
