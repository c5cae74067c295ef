using System.Text.Json;
using Fleet.Contracts;
using Fleet.Data;
using Fleet.Hosting;
using Fleet.Nats;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>
/// Ships this region's public changes to each configured peer region over the peer's own NATS, as requests to
/// <c>sync.replicate.&lt;peer&gt;</c>. The sender's checkpoint advances only after the peer acknowledged its own
/// committed checkpoint, so a restart on either side resumes without gaps; the peer's dedup drops repeats.
/// </summary>
internal sealed partial class ReplicationShipWorker(
    ReplicationLog replication,
    MigrationState migrations,
    IOptions<SyncOptions> options,
    IOptions<FleetOptions> fleet,
    ILoggerFactory loggers,
    ILogger<ReplicationShipWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var peers = options.Value.ParsedPeers();
        if (peers.Count == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(peers.Select(peer => ShipToAsync(peer.Key, peer.Value, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the checkpoint says where the next start resumes.
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "Region replication crashed");
            Environment.ExitCode = 1;
            throw;
        }
    }

    private async Task ShipToAsync(string peer, string url, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var region = fleet.Value.Region;
        await using var connection = new NatsConnection(
            new NatsOptions { Servers = [url], Name = $"sync-{region}-to-{peer}", RequestTimeout = TimeSpan.FromSeconds(10) },
            loggers.CreateLogger<NatsConnection>());
        var retryDelay = settings.ReplicationInterval;
        var connected = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!connected)
                {
                    await connection.ConnectAsync(stoppingToken);
                    connected = true;
                }

                if (!migrations.IsCompleted || connection.State != NatsConnectionState.Connected)
                {
                    await Task.Delay(settings.ReplicationInterval, stoppingToken);
                    continue;
                }

                var checkpointName = ReplicationLog.ShipCheckpoint(peer);
                var after = await replication.GetCheckpointAsync(checkpointName, stoppingToken);
                var batch = await replication.ReadBatchAsync(region, after, settings.ReplicationBatchSize, stoppingToken);
                if (batch is null)
                {
                    await Task.Delay(settings.ReplicationInterval, stoppingToken);
                    continue;
                }

                var acknowledged = batch.UpTo;
                if (batch.Changes.Count > 0)
                {
                    var reply = await connection.RequestAsync(
                        SyncSubjects.Replicate(peer), JsonSerializer.SerializeToUtf8Bytes(batch, SyncJson.Options), cancellationToken: stoppingToken);
                    var ack = JsonSerializer.Deserialize<ReplicationAck>(reply.Data.Span, SyncJson.Options)
                        ?? throw new InvalidOperationException($"Region {peer} answered without a checkpoint.");
                    acknowledged = Math.Min(ack.Checkpoint, batch.UpTo);
                }

                await replication.SetCheckpointAsync(checkpointName, acknowledged, stoppingToken);
                LogShipped(logger, batch.Changes.Count, peer, acknowledged);
                retryDelay = settings.ReplicationInterval;
            }
#pragma warning disable CA1031 // A peer or MySQL being away is retried with backoff; the checkpoint keeps the place.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                LogRetrying(logger, peer, retryDelay.TotalMilliseconds, ex.Message);
                await Task.Delay(retryDelay, stoppingToken);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shipped {ChangeCount} changes to {Peer}, checkpoint {Checkpoint}")]
    private static partial void LogShipped(ILogger logger, int changeCount, string peer, long checkpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication to {Peer} failed, retrying in {RetryDelayMs} ms: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string peer, double retryDelayMs, string reason);
}
