namespace Fleet.Contracts;

/// <summary>
/// Subjects and headers of the API worker's NATS request/reply transport: one subject per operation,
/// <c>api.v1.&lt;operation&gt;</c>, answered by every API instance in the queue group <see cref="QueueGroup"/>.
/// </summary>
public static class ApiSubjects
{
    /// <summary>The prefix of every API operation subject.</summary>
    public const string Prefix = "api.v1.";

    /// <summary>The queue group API instances join, so each request is answered by exactly one of them.</summary>
    public const string QueueGroup = "api";

    /// <summary>Request header: the request id (the same value HAProxy puts in <c>X-Request-ID</c>).</summary>
    public const string RequestIdHeader = "X-Request-ID";

    /// <summary>Request header: the bearer token, exactly as in HTTP (<c>Bearer &lt;jwt&gt;</c>).</summary>
    public const string AuthorizationHeader = "Authorization";

    /// <summary>Request header: the idempotency key of a POST.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Request header: the media type of the payload (<c>application/json</c>).</summary>
    public const string ContentTypeHeader = "Content-Type";

    /// <summary>
    /// Request header prefix for route and query parameters: <c>Param-id: 42</c> is the <c>{id}</c> of the
    /// HTTP route, <c>Param-cursor</c> the <c>?cursor=</c> of the query string.
    /// </summary>
    public const string ParameterHeaderPrefix = "Param-";

    /// <summary>Reply header: the HTTP status code the same request gets over HTTP.</summary>
    public const string StatusHeader = "Status";

    /// <summary>Reply header: the <c>Location</c> of a created resource.</summary>
    public const string LocationHeader = "Location";

    /// <summary>The subject of one operation, e.g. <c>api.v1.forum.posts.get</c>.</summary>
    /// <param name="operation">The operation name from the OpenAPI document's <c>operationId</c>.</param>
    public static string ForOperation(string operation) => Prefix + operation;
}
