using Fleet.Data;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>Purges tombstones every active client has pulled, every <see cref="SyncOptions.PurgeInterval"/>.</summary>
internal sealed partial class TombstonePurgeWorker(
    ChangeLog changes,
    MigrationState migrations,
    IOptions<SyncOptions> options,
    ILogger<TombstonePurgeWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            using var timer = new PeriodicTimer(settings.PurgeInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!migrations.IsCompleted)
                {
                    continue;
                }

                try
                {
                    var purged = await changes.PurgeTombstonesAsync(settings.RetentionWindow, settings.TombstoneMinAge, stoppingToken);
                    if (purged > 0)
                    {
                        LogPurged(logger, purged);
                    }
                }
#pragma warning disable CA1031 // A failed purge (MySQL away) is simply tried again next interval; nothing depends on it.
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    LogFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {TombstoneCount} tombstones")]
    private static partial void LogPurged(ILogger logger, int tombstoneCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tombstone purge failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
