using System.Globalization;
using System.Text;
using Fleet.Contracts;
using Fleet.Hosting;
using Fleet.Nats;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>
/// Forwards a mutation to the API over NATS request/reply (<c>api.v1.&lt;operation&gt;</c>, queue group <c>api</c>)
/// with the client's own bearer token, so the API applies its rules as the user and emits the usual events.
/// </summary>
internal sealed class ApiMutationClient(NatsConnection nats, IOptions<SyncOptions> options)
{
    /// <summary>The API's answer: its HTTP status and body; status 0 when no answer came (retry later).</summary>
    public sealed record Answer(int Status, string? Body);

    public async Task<Answer> SendAsync(
        long accountId, string clientId, Mutation mutation, string authorization, CancellationToken cancellationToken)
    {
        var headers = new NatsHeaders
        {
            [ApiSubjects.AuthorizationHeader] = authorization,
            [ApiSubjects.RequestIdHeader] = RequestId.Current ?? RequestId.New(),

            // Stable per (account, client, seq): if this worker dies after the API committed but before the seq was
            // recorded, the retry replays the API's first answer instead of creating a second post.
            [ApiSubjects.IdempotencyKeyHeader] = string.Create(CultureInfo.InvariantCulture, $"sync:{accountId}:{clientId}:{mutation.Seq}"),
        };
        if (mutation.TargetId is { } id)
        {
            headers[ApiSubjects.ParameterHeaderPrefix + "id"] = id.ToString(CultureInfo.InvariantCulture);
        }

        var body = ReadOnlyMemory<byte>.Empty;
        if (mutation.Kind.SendsBody)
        {
            headers[ApiSubjects.ContentTypeHeader] = "application/json";
            body = Encoding.UTF8.GetBytes(mutation.Args);
        }

        try
        {
            var reply = await nats.RequestAsync(
                ApiSubjects.ForOperation(mutation.Kind.Operation), body, headers, options.Value.ApiTimeout, cancellationToken);
            var status = int.TryParse(reply.Headers?[ApiSubjects.StatusHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
            return new Answer(status, reply.Data.IsEmpty ? null : Encoding.UTF8.GetString(reply.Data.Span));
        }
        catch (Exception ex) when (ex is NatsTimeoutException or NatsNoRespondersException or NatsException or InvalidOperationException)
        {
            return new Answer(0, ex.Message);
        }
    }
}
