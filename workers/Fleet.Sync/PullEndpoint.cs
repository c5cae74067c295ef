using System.Globalization;
using System.Text.Json;
using Fleet.Data;
using Fleet.Hosting.Security;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>
/// <c>GET /sync/v1/changes?cursor=&amp;limit=&amp;clientId=</c>: the caller's next page of puts and tombstones in
/// change order, the next cursor and <c>hasMore</c>.
/// </summary>
internal sealed class PullEndpoint(
    ChangeLog changes,
    SyncCursor cursors,
    BearerTokenVerifier tokens,
    MigrationState migrations,
    IOptions<SyncOptions> options)
{
    public const string Path = "/sync/v1/changes";

    // Clients that do not name themselves share one cursor slot per account for purge bookkeeping.
    private const string DefaultClientId = "default";

    private readonly SyncOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        if (tokens.VerifyAuthorization(context.Request.Headers.Authorization, out _)?.AccountId is not { } accountId)
        {
            await SyncProblem.Unauthorized().WriteAsync(context);
            return;
        }

        var query = context.Request.Query;
        if (!cursors.TryDecode(query["cursor"], out var after))
        {
            await SyncProblem.MalformedCursor().WriteAsync(context);
            return;
        }

        var limit = _options.DefaultPageSize;
        if (query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > _options.MaxPageSize))
        {
            await SyncProblem.Validation($"limit must be an integer from 1 to {_options.MaxPageSize}.").WriteAsync(context);
            return;
        }

        var clientId = query["clientId"].ToString();
        if (clientId.Length == 0)
        {
            clientId = DefaultClientId;
        }
        else if (!MutationBatch.IsValidClientId(clientId))
        {
            await SyncProblem.Validation("clientId must be 1 to 64 letters, digits, '-' or '_'.").WriteAsync(context);
            return;
        }

        if (!migrations.IsCompleted)
        {
            await SyncProblem.Unavailable("The sync schema is not ready yet.").WriteAsync(context);
            return;
        }

        // A cursor below the watermark may have missed purged tombstones; starting over is the only safe answer.
        var watermark = await changes.GetWatermarkAsync(cancellationToken);
        if (query.ContainsKey("cursor") && after < watermark)
        {
            await SyncProblem.ResyncRequired(watermark).WriteAsync(context);
            return;
        }

        var rows = await changes.ReadPageAsync(accountId, after, limit + 1, cancellationToken);
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var last = rows.Count > 0 ? rows[^1].ChangeId : Math.Max(after, 0);
        await changes.RecordPullAsync(accountId, clientId, last, cancellationToken);

        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteStartArray("changes");
        foreach (var row in rows)
        {
            writer.WriteStartObject();
            writer.WriteString("op", row.Op == ChangeRow.Delete ? "delete" : "put");
            writer.WriteString("entity", row.Entity);
            writer.WriteString("region", row.OriginRegion);
            writer.WriteNumber("id", row.EntityId);
            writer.WriteNumber("version", row.Version);
            writer.WritePropertyName("data");
            if (row.Data is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(row.Data, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("nextCursor", cursors.Encode(last));
        writer.WriteBoolean("hasMore", hasMore);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }
}
