using System.Text.Json;
using Fleet.Contracts;
using Fleet.Data;
using Fleet.Hosting;
using Fleet.Nats;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>
/// Answers <c>sync.replicate.&lt;region&gt;</c> on this region's NATS in queue group <c>sync</c>: applies another
/// region's public changes idempotently and replies with the committed checkpoint.
/// </summary>
internal sealed partial class ReplicationReceiveService(
    NatsConnection nats,
    ReplicationLog replication,
    MigrationState migrations,
    IOptions<FleetOptions> fleet,
    ILogger<ReplicationReceiveService> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var region = fleet.Value.Region;
        try
        {
            while (nats.State != NatsConnectionState.Connected || !migrations.IsCompleted)
            {
                await Task.Delay(PollInterval, stoppingToken);
            }

            await using var subscription = await nats.SubscribeAsync(SyncSubjects.Replicate(region), SyncSubjects.QueueGroup, cancellationToken: stoppingToken);

            // One batch at a time: batches of one origin must apply in order, and the checkpoint lock serialises them anyway.
            await foreach (var msg in subscription.ReadAllAsync(stoppingToken))
            {
                await HandleAsync(msg, region, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: an unanswered batch times out at the sender and is shipped again.
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The replication receiver crashed");
            Environment.ExitCode = 1;
            throw;
        }
    }

    private async Task HandleAsync(NatsMsg msg, string region, CancellationToken stoppingToken)
    {
        try
        {
            var batch = JsonSerializer.Deserialize<ReplicationBatch>(msg.Data.Span, SyncJson.Options);
            if (batch is null || string.IsNullOrEmpty(batch.OriginRegion) || batch.OriginRegion == region || batch.Changes is null)
            {
                LogBadBatch(logger, "not a batch from another region");
                return;
            }

            var checkpoint = await replication.ApplyBatchAsync(batch, stoppingToken);
            LogApplied(logger, batch.Changes.Count, batch.OriginRegion, checkpoint);
            if (msg.ReplyTo is not null)
            {
                await msg.ReplyAsync(JsonSerializer.SerializeToUtf8Bytes(new ReplicationAck(checkpoint), SyncJson.Options), cancellationToken: stoppingToken);
            }
        }
        catch (JsonException ex)
        {
            LogBadBatch(logger, ex.Message);
        }
#pragma warning disable CA1031 // MySQL away: no answer, the sender times out and ships the batch again.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogBadBatch(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Applied {ChangeCount} replicated changes from {OriginRegion}, checkpoint {Checkpoint}")]
    private static partial void LogApplied(ILogger logger, int changeCount, string originRegion, long checkpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication batch not applied: {Reason}")]
    private static partial void LogBadBatch(ILogger logger, string reason);
}
