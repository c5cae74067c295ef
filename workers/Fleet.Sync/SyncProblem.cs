using System.Text.Json;

namespace Fleet.Sync;

/// <summary>RFC 7807 answers. <see cref="Type"/> is stable: clients branch on it, never on the title.</summary>
internal sealed record SyncProblem(int Status, string Type, string Title, string? Detail)
{
    public const string ContentType = "application/problem+json";
    private const string TypePrefix = "urn:fleet:problem:";

    public static SyncProblem Validation(string detail) => new(400, TypePrefix + "validation", "The request is not valid.", detail);

    public static SyncProblem MalformedCursor() =>
        new(400, TypePrefix + "malformed-cursor", "The cursor is not valid.", "Send a nextCursor exactly as received, or none to start over.");

    public static SyncProblem Unauthorized() =>
        new(401, TypePrefix + "unauthorized", "Authentication is required.", "Send the API's bearer token.");

    // 410 Gone: the history the cursor points into no longer exists; a retry with the same cursor never succeeds.
    public static SyncProblem ResyncRequired(long watermark) =>
        new(410, TypePrefix + "resync-required", "The cursor is older than the retained history; resync from scratch.",
            $"Deletions up to change {watermark} were purged. Drop local data and pull without a cursor.");

    public static SyncProblem BatchTooLarge(int limit) =>
        new(413, TypePrefix + "batch-too-large", "The mutation batch is too large.", $"At most {limit} mutations per request.");

    public static SyncProblem UnsupportedMediaType() =>
        new(415, TypePrefix + "unsupported-media-type", "The request body must be application/json.", null);

    public static SyncProblem Unavailable(string detail) =>
        new(503, TypePrefix + "unavailable", "A dependency is unavailable; retry later.", detail);

    public async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        context.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(
            context.Response.Body,
            new Dictionary<string, object?> { ["type"] = Type, ["title"] = Title, ["status"] = Status, ["detail"] = Detail },
            SyncJson.Options,
            context.RequestAborted);
    }
}
