namespace Fleet.Api.Pipeline;

/// <summary>
/// An RFC 7807 problem. <see cref="Type"/> is stable and documented: clients branch on it, never on
/// <see cref="Title"/> or <see cref="Detail"/>, which may change.
/// </summary>
internal sealed record ApiProblem(int Status, string Type, string Title, string? Detail, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public const string ContentType = "application/problem+json";
    private const string TypePrefix = "urn:fleet:problem:";

    public static ApiProblem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(400, TypePrefix + "validation", "The request is not valid.", "See errors for each invalid field.", errors);

    public static ApiProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ApiProblem MalformedJson(string detail) =>
        new(400, TypePrefix + "malformed-json", "The request body is not valid JSON.", detail);

    public static ApiProblem Unauthorized(string detail) =>
        new(401, TypePrefix + "unauthorized", "Authentication is required.", detail);

    public static ApiProblem Forbidden(string detail) =>
        new(403, TypePrefix + "forbidden", "You may not do this.", detail);

    public static ApiProblem NotFound(string detail) =>
        new(404, TypePrefix + "not-found", "Not found.", detail);

    public static ApiProblem Conflict(string detail) =>
        new(409, TypePrefix + "conflict", "The request conflicts with the current state.", detail);

    public static ApiProblem PayloadTooLarge(int limit) =>
        new(413, TypePrefix + "payload-too-large", "The request body is too large.", $"The limit is {limit} bytes.");

    public static ApiProblem UnsupportedMediaType(string? contentType) =>
        new(415, TypePrefix + "unsupported-media-type", "The request body must be application/json.", $"Got '{contentType ?? "(none)"}'.");

    public static ApiProblem IdempotencyKeyReused() =>
        new(422, TypePrefix + "idempotency-key-reused", "The Idempotency-Key was used with a different request.",
            "Send a new key for a new request; replay the same body to get the original answer.");

    public static ApiProblem Unavailable(string detail) =>
        new(503, TypePrefix + "unavailable", "A dependency is unavailable; retry later.", detail);

    public static ApiProblem Internal() =>
        new(500, TypePrefix + "internal", "An unexpected error occurred.", "The error was logged with the request id.");
}
