using System.Text.Json.Serialization;

namespace Fleet.Sync;

/// <summary>The answer for one pushed mutation.</summary>
/// <param name="Seq">The mutation's seq.</param>
/// <param name="Status">applied, conflict, rejected, skipped (seq already done), gap (batch stopped) or retry.</param>
/// <param name="HttpStatus">The API's status for forwarded mutations.</param>
/// <param name="Response">The API's answer body (the entity, or a problem).</param>
internal sealed record MutationResult(
    long Seq,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? HttpStatus,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Response)
{
    public const string Applied = "applied";
    public const string Conflict = "conflict";
    public const string Rejected = "rejected";
    public const string Skipped = "skipped";
    public const string Gap = "gap";
    public const string Retry = "retry";
}
