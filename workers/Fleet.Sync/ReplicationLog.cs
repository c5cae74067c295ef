using System.Text.Json;
using Dapper;
using Fleet.Contracts;
using Fleet.Data;

namespace Fleet.Sync;

/// <summary>The replication side of the sync schema: what to ship, checkpoints, and applying a received batch.</summary>
internal sealed partial class ReplicationLog(DbConnectionFactory db, ChangeLog changes, ILogger<ReplicationLog> logger)
{
    public static string ShipCheckpoint(string peer) => "ship:" + peer;

    public static string ReceiveCheckpoint(string origin) => "recv:" + origin;

    public async Task<long> GetCheckpointAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT value FROM sync_state WHERE name = @name", new { name }, cancellationToken: cancellationToken)) ?? 0;
    }

    public async Task SetCheckpointAsync(string name, long value, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sync_state (name, value) VALUES (@name, @value) ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))",
            new { name, value },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The next changes that originated here, after <paramref name="after"/>, with the personal ones filtered out
    /// by the classification (and logged as refused). Replicated changes from other regions are never reshipped.
    /// </summary>
    public async Task<ReplicationBatch?> ReadBatchAsync(string localRegion, long after, int take, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            """
            SELECT change_id AS ChangeId, entity AS Entity, origin_region AS OriginRegion, entity_id AS EntityId,
                   version AS Version, op AS Op, scope AS Scope, data AS Data, changed_at AS ChangedAt
            FROM changes WHERE origin_region = @localRegion AND change_id > @after ORDER BY change_id LIMIT @take
            """,
            new { localRegion, after, take },
            cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0)
        {
            return null;
        }

        var shipped = new List<ReplicatedChange>(rows.Count);
        foreach (var row in rows)
        {
            if (!DataClassification.MayLeaveRegion(row))
            {
                LogRefused(logger, row.Entity, row.EntityId, row.ChangeId);
                continue;
            }

            shipped.Add(new ReplicatedChange(
                row.ChangeId,
                row.Entity,
                row.EntityId,
                row.Version,
                row.Op == ChangeRow.Delete,
                row.Data is null ? null : JsonDocument.Parse(row.Data).RootElement.Clone()));
        }

        return new ReplicationBatch(localRegion, shipped, rows[^1].ChangeId);
    }

    /// <summary>
    /// Applies a batch from another region once: changes at or below the stored checkpoint for its origin are
    /// skipped, and the new checkpoint commits with the changes.
    /// </summary>
    public async Task<long> ApplyBatchAsync(ReplicationBatch batch, CancellationToken cancellationToken)
    {
        var name = ReceiveCheckpoint(batch.OriginRegion);
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT IGNORE INTO sync_state (name, value) VALUES (@name, 0)", new { name }, transaction, cancellationToken: cancellationToken));

        // Locks the checkpoint: two instances receiving overlapping batches apply each change once.
        var checkpoint = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT value FROM sync_state WHERE name = @name FOR UPDATE", new { name }, transaction, cancellationToken: cancellationToken));
        foreach (var change in batch.Changes)
        {
            if (change.ChangeId <= checkpoint)
            {
                continue;
            }

            if (DataClassification.IsPersonal(change.Entity, flaggedPersonal: false))
            {
                // The sender should never ship it; refuse on arrival too, so one side's bug cannot leak data.
                LogRefusedOnArrival(logger, change.Entity, change.EntityId, batch.OriginRegion);
                continue;
            }

            await changes.ApplyChangeAsync(
                connection,
                transaction,
                new ChangeRow
                {
                    Entity = change.Entity,
                    OriginRegion = batch.OriginRegion,
                    EntityId = change.EntityId,
                    Version = change.Version,
                    Op = change.Deleted ? ChangeRow.Delete : ChangeRow.Put,
                    Scope = DataClassification.PublicScope,
                    Data = change.Deleted || change.Data is null ? null : change.Data.Value.GetRawText(),
                },
                change.ChangeId,
                cancellationToken);
        }

        var next = Math.Max(checkpoint, batch.UpTo);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sync_state SET value = @next WHERE name = @name", new { name, next }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return next;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to ship personal {Entity} {EntityId} (change {ChangeId}): personal data stays in its region")]
    private static partial void LogRefused(ILogger logger, string entity, long entityId, long changeId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused personal {Entity} {EntityId} shipped from {OriginRegion}: personal data stays in its region")]
    private static partial void LogRefusedOnArrival(ILogger logger, string entity, long entityId, string originRegion);
}
