using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Dapper;
using Fleet.Data;
using Fleet.Hosting.Security;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>
/// <c>POST /sync/v1/mutations</c>: applies a client's offline mutations in seq order, exactly once each.
/// </summary>
/// <remarks>
/// Each mutation runs under a row lock on the client's seq: read the last seq, forward the mutation to the API,
/// record its outcome and the new seq, commit. The API's write and the seq live in different databases, so the
/// forward carries an Idempotency-Key derived from (account, client, seq): a retry after a crash between the API's
/// commit and ours gets the API's first answer back, and the seq is recorded then. Forwarded edits and deletes
/// are not idempotent in the API; a replay of one answers 409/404, recorded as a conflict/rejection.
/// </remarks>
internal sealed partial class PushEndpoint(
    DbConnectionFactory db,
    ApiMutationClient api,
    BearerTokenVerifier tokens,
    MigrationState migrations,
    TimeProvider time,
    IOptions<SyncOptions> options,
    ILogger<PushEndpoint> logger)
{
    public const string Path = "/sync/v1/mutations";

    // A batch of 50 mutations with generous arguments stays far below this; bigger bodies are refused unread.
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly SyncOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (tokens.VerifyAuthorization(authorization, out _)?.AccountId is not { } accountId)
        {
            await SyncProblem.Unauthorized().WriteAsync(context);
            return;
        }

        if (context.Request.ContentType is not { } contentType
            || !contentType.Split(';', 2)[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await SyncProblem.UnsupportedMediaType().WriteAsync(context);
            return;
        }

        var body = await ReadBodyAsync(context.Request.BodyReader, cancellationToken);
        if (body is null)
        {
            await new SyncProblem(413, "urn:fleet:problem:payload-too-large", "The request body is too large.", $"The limit is {MaxBodyBytes} bytes.")
                .WriteAsync(context);
            return;
        }

        var batch = MutationBatch.Parse(body, _options.MaxBatchSize, out var problem);
        if (batch is null)
        {
            await problem!.WriteAsync(context);
            return;
        }

        if (!migrations.IsCompleted)
        {
            await SyncProblem.Unavailable("The sync schema is not ready yet.").WriteAsync(context);
            return;
        }

        var results = new List<MutationResult>();
        long lastSeq = 0;
        foreach (var mutation in batch.Mutations)
        {
            var (result, seq) = await ApplyOneAsync(accountId, batch.ClientId, mutation, authorization, cancellationToken);
            results.Add(result);
            lastSeq = seq;
            if (result.Status is MutationResult.Gap or MutationResult.Retry)
            {
                break;
            }
        }

        if (batch.Mutations.Count == 0)
        {
            lastSeq = await ReadLastSeqAsync(accountId, batch.ClientId, cancellationToken);
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new PushResponse(batch.ClientId, lastSeq, results), SyncJson.Options, cancellationToken);
    }

    private async Task<(MutationResult Result, long LastSeq)> ApplyOneAsync(
        long accountId, string clientId, Mutation mutation, string authorization, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT IGNORE INTO client_seqs (account_id, client_id, last_seq, updated_at) VALUES (@accountId, @clientId, 0, @now)",
            new { accountId, clientId, now },
            transaction,
            cancellationToken: cancellationToken));

        // The lock serialises concurrent pushes of one client (two tabs, a retry racing its original): only one
        // of them forwards a given seq.
        var last = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT last_seq FROM client_seqs WHERE account_id = @accountId AND client_id = @clientId FOR UPDATE",
            new { accountId, clientId },
            transaction,
            cancellationToken: cancellationToken));
        if (mutation.Seq <= last)
        {
            await transaction.CommitAsync(cancellationToken);
            return (new MutationResult(mutation.Seq, MutationResult.Skipped, null, null), last);
        }

        if (mutation.Seq != last + 1)
        {
            await transaction.CommitAsync(cancellationToken);
            return (new MutationResult(mutation.Seq, MutationResult.Gap, null, $"Expected seq {last + 1}."), last);
        }

        var answer = await api.SendAsync(accountId, clientId, mutation, authorization, cancellationToken);
        var outcome = Classify(answer.Status);
        if (outcome == MutationResult.Retry)
        {
            // Nothing is recorded: the client sends the same seq again and the idempotency key covers a create
            // the API committed after all.
            LogRetry(logger, clientId, mutation.Seq, answer.Status, answer.Body);
            await transaction.RollbackAsync(cancellationToken);
            return (new MutationResult(mutation.Seq, MutationResult.Retry, answer.Status == 0 ? null : answer.Status, null), last);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mutation_results (account_id, client_id, seq, name, outcome, status, response, recorded_at)
            VALUES (@accountId, @clientId, @Seq, @name, @outcome, @Status, @Body, @now)
            """,
            new { accountId, clientId, mutation.Seq, name = mutation.Kind.Name, outcome, answer.Status, answer.Body, now },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE client_seqs SET last_seq = @Seq, updated_at = @now WHERE account_id = @accountId AND client_id = @clientId",
            new { accountId, clientId, mutation.Seq, now },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        if (outcome == MutationResult.Rejected)
        {
            LogRejected(logger, clientId, mutation.Seq, mutation.Kind.Name, answer.Status);
        }

        return (new MutationResult(mutation.Seq, outcome, answer.Status, (object?)ParseBody(answer.Body)), mutation.Seq);
    }

    private static string Classify(int status) => status switch
    {
        >= 200 and < 300 => MutationResult.Applied,

        // A stale version: the client rebases on the pulled state and decides; the seq still advances.
        409 => MutationResult.Conflict,

        // The API itself misconfigured (401), throttled (429) or failing (5xx), or no answer: not the mutation's fault.
        0 or 401 or 408 or 429 or >= 500 => MutationResult.Retry,

        // Validation, ownership, missing target: retrying never helps, so it is recorded and the seq advances.
        _ => MutationResult.Rejected,
    };

    private static JsonElement? ParseBody(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<long> ReadLastSeqAsync(long accountId, string clientId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT last_seq FROM client_seqs WHERE account_id = @accountId AND client_id = @clientId",
            new { accountId, clientId },
            cancellationToken: cancellationToken)) ?? 0;
    }

    private static async Task<byte[]?> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.Buffer.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                return null;
            }

            if (read.IsCompleted)
            {
                var bytes = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mutation {Seq} of client {ClientId} must be retried: API status {Status}, {Reason}")]
    private static partial void LogRetry(ILogger logger, string clientId, long seq, int status, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mutation {Seq} ({MutationName}) of client {ClientId} was rejected with {Status}; seq advances")]
    private static partial void LogRejected(ILogger logger, string clientId, long seq, string mutationName, int status);

    private sealed record PushResponse(string ClientId, long LastSeq, IReadOnlyList<MutationResult> Results);
}
