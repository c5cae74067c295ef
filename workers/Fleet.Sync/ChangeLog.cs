using System.Data.Common;
using System.Text.Json;
using Dapper;
using Fleet.Contracts;
using Fleet.Data;

namespace Fleet.Sync;

/// <summary>The change log in the sync schema: idempotent apply, scoped paging, purge, and replication reads.</summary>
internal sealed class ChangeLog(DbConnectionFactory db, TimeProvider time)
{
    public const string WatermarkName = "purge_watermark";

    private const string RowColumns = """
        change_id AS ChangeId, entity AS Entity, origin_region AS OriginRegion, entity_id AS EntityId,
        version AS Version, op AS Op, scope AS Scope, data AS Data, changed_at AS ChangedAt
        """;

    /// <summary>Applies one domain event once: a repeated event id or an older version changes nothing.</summary>
    public async Task<ApplyOutcome> ApplyEventAsync(DomainEvent domainEvent, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var fresh = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT IGNORE INTO applied_events (event_id, applied_at) VALUES (@EventId, @now)",
            new { domainEvent.EventId, now = time.GetUtcNow().UtcDateTime },
            transaction,
            cancellationToken: cancellationToken));
        if (fresh == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return ApplyOutcome.Duplicate;
        }

        var isDelete = domainEvent.Data is null || domainEvent.Data.Value.ValueKind == JsonValueKind.Null
            || domainEvent.Type.EndsWith(".deleted", StringComparison.Ordinal);
        var row = new ChangeRow
        {
            Entity = domainEvent.Entity,
            OriginRegion = domainEvent.Region,
            EntityId = domainEvent.EntityId,
            Version = domainEvent.Version,
            Op = isDelete ? ChangeRow.Delete : ChangeRow.Put,
            Scope = DataClassification.ScopeOf(domainEvent.Entity, domainEvent.EntityId, domainEvent.Personal),
            Data = isDelete ? null : domainEvent.Data!.Value.GetRawText(),
        };
        var outcome = await ApplyChangeAsync(connection, transaction, row, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Stores <paramref name="row"/> as the entity's newest version unless an equal or newer one is known. The
    /// caller's transaction makes the dedup record and the change one unit.
    /// </summary>
    public async Task<ApplyOutcome> ApplyChangeAsync(
        DbConnection connection, DbTransaction transaction, ChangeRow row, long? originChangeId, CancellationToken cancellationToken)
    {
        var key = new { row.Entity, row.OriginRegion, row.EntityId };
        var known = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT version FROM entity_versions WHERE entity = @Entity AND origin_region = @OriginRegion AND entity_id = @EntityId FOR UPDATE",
            key,
            transaction,
            cancellationToken: cancellationToken));
        if (known >= row.Version)
        {
            return ApplyOutcome.Stale;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            known is null
                ? "INSERT INTO entity_versions (entity, origin_region, entity_id, version) VALUES (@Entity, @OriginRegion, @EntityId, @Version)"
                : "UPDATE entity_versions SET version = @Version WHERE entity = @Entity AND origin_region = @OriginRegion AND entity_id = @EntityId",
            new { row.Entity, row.OriginRegion, row.EntityId, row.Version },
            transaction,
            cancellationToken: cancellationToken));

        // The older row goes: a client behind the head needs only the newest state, under a new change id it has
        // not passed yet.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM changes WHERE entity = @Entity AND origin_region = @OriginRegion AND entity_id = @EntityId",
            key,
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO changes (entity, origin_region, entity_id, version, op, scope, data, origin_change_id, changed_at)
            VALUES (@Entity, @OriginRegion, @EntityId, @Version, @Op, @Scope, @Data, @originChangeId, @now)
            """,
            new { row.Entity, row.OriginRegion, row.EntityId, row.Version, row.Op, row.Scope, row.Data, originChangeId, now = time.GetUtcNow().UtcDateTime },
            transaction,
            cancellationToken: cancellationToken));
        return ApplyOutcome.Applied;
    }

    /// <summary>
    /// Up to <paramref name="take"/> changes after <paramref name="after"/> that <paramref name="accountId"/> may
    /// see. Each branch walks ix_changes_scope from the cursor and stops after <paramref name="take"/> rows, so the
    /// cost follows the page, not the log.
    /// </summary>
    public async Task<List<ChangeRow>> ReadPageAsync(long accountId, long after, int take, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            PageSql, new { accountId, after, take }, cancellationToken: cancellationToken))).ToList();
    }

    public const string PageSql = $"""
        SELECT * FROM (
            (SELECT {RowColumns} FROM changes FORCE INDEX (ix_changes_scope)
             WHERE scope = 0 AND change_id > @after ORDER BY change_id LIMIT @take)
            UNION ALL
            (SELECT {RowColumns} FROM changes FORCE INDEX (ix_changes_scope)
             WHERE scope = @accountId AND change_id > @after ORDER BY change_id LIMIT @take)
        ) AS page ORDER BY ChangeId LIMIT @take
        """;

    public async Task<long> GetWatermarkAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT value FROM sync_state WHERE name = @WatermarkName", new { WatermarkName }, cancellationToken: cancellationToken)) ?? 0;
    }

    public async Task RecordPullAsync(long accountId, string clientId, long lastChangeId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO client_cursors (account_id, client_id, last_change_id, pulled_at) VALUES (@accountId, @clientId, @lastChangeId, @now)
            ON DUPLICATE KEY UPDATE last_change_id = VALUES(last_change_id), pulled_at = VALUES(pulled_at)
            """,
            new { accountId, clientId, lastChangeId, now = time.GetUtcNow().UtcDateTime },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Deletes tombstones every client active within <paramref name="retention"/> has already pulled and that are
    /// older than <paramref name="minAge"/>, and raises the watermark to the newest purged change id.
    /// </summary>
    /// <returns>The number of tombstones purged.</returns>
    public async Task<int> PurgeTombstonesAsync(TimeSpan retention, TimeSpan minAge, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Serialises purges between instances; readers compare cursors with the committed watermark.
        var watermark = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT value FROM sync_state WHERE name = @WatermarkName FOR UPDATE", new { WatermarkName }, transaction, cancellationToken: cancellationToken)) ?? 0;
        var slowest = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(last_change_id) FROM client_cursors WHERE pulled_at >= @since",
            new { since = now - retention },
            transaction,
            cancellationToken: cancellationToken));
        var bound = slowest ?? await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(change_id) FROM changes", transaction: transaction, cancellationToken: cancellationToken)) ?? 0;
        var newest = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(change_id) FROM changes WHERE op = @Delete AND change_id <= @bound AND changed_at < @before",
            new { ChangeRow.Delete, bound, before = now - minAge },
            transaction,
            cancellationToken: cancellationToken));
        if (newest is null)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        var purged = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM changes WHERE op = @Delete AND change_id <= @newest AND changed_at < @before",
            new { ChangeRow.Delete, newest, before = now - minAge },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sync_state (name, value) VALUES (@WatermarkName, @value) ON DUPLICATE KEY UPDATE value = GREATEST(value, VALUES(value))",
            new { WatermarkName, value = Math.Max(watermark, newest.Value) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return purged;
    }
}
