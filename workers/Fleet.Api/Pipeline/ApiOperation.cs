namespace Fleet.Api.Pipeline;

internal delegate Task<ApiResult> ApiHandler(ApiContext context, CancellationToken cancellationToken);

/// <summary>Who may call an operation.</summary>
internal enum ApiAccess
{
    Anonymous,
    Authenticated,
    Editor,
}

/// <summary>A path or query parameter, as documented and as read by <see cref="ApiContext"/>.</summary>
internal sealed record ApiParameter(string Name, string In, string Type, bool Required, string Description);

/// <summary>A documented success answer: status, description, and the schema name of the body (null: no body).</summary>
internal sealed record ApiSuccess(int Status, string Description, string? Schema);

/// <summary>
/// One API operation. The route table (<see cref="ApiRoutes"/>) is the single source for the HTTP mapping, the
/// NATS subjects and the OpenAPI document, so the three cannot drift apart.
/// </summary>
/// <param name="Id">The operationId and NATS subject suffix, e.g. <c>forum.posts.get</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The HTTP route template, e.g. <c>/api/v1/forum/posts/{id}</c>.</param>
/// <param name="Summary">One line for the document.</param>
/// <param name="Tag">The document's grouping tag.</param>
/// <param name="Access">Who may call it.</param>
/// <param name="RequestSchema">The schema name of the JSON body, or null for no body.</param>
/// <param name="Parameters">Path and query parameters.</param>
/// <param name="Success">The success answer.</param>
/// <param name="ExtraErrors">Error statuses beyond those the pipeline derives (403 for ownership, 409, 404 without a path id).</param>
/// <param name="Idempotent">True when the operation honours <c>Idempotency-Key</c>.</param>
/// <param name="Handler">The code.</param>
internal sealed record ApiOperation(
    string Id,
    string Method,
    string Route,
    string Summary,
    string Tag,
    ApiAccess Access,
    string? RequestSchema,
    IReadOnlyList<ApiParameter> Parameters,
    ApiSuccess Success,
    IReadOnlyList<int> ExtraErrors,
    bool Idempotent,
    ApiHandler Handler)
{
    /// <summary>Every error status this operation can answer with, derived from its shape so the document is exact.</summary>
    public IReadOnlyList<int> ErrorStatuses()
    {
        var statuses = new SortedSet<int>(ExtraErrors);
        if (RequestSchema is not null || Parameters.Count > 0 || Idempotent)
        {
            statuses.Add(400);
        }

        if (Access != ApiAccess.Anonymous)
        {
            statuses.Add(401);
        }

        if (Access == ApiAccess.Editor)
        {
            statuses.Add(403);
        }

        if (Parameters.Any(p => p.In == "path"))
        {
            statuses.Add(404);
        }

        if (RequestSchema is not null)
        {
            statuses.Add(413);
            statuses.Add(415);
        }

        if (Idempotent)
        {
            statuses.Add(422);
        }

        // Every operation that touches MySQL can find it unreachable; that is not the caller's fault.
        if (Tag != "system")
        {
            statuses.Add(503);
        }

        return [.. statuses];
    }
}
