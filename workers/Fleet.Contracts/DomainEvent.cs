using System.Text.Json;

namespace Fleet.Contracts;

/// <summary>
/// The payload of every domain event on the event stream. <see cref="EventId"/> is also the
/// <c>Nats-Msg-Id</c>, so JetStream drops a republished copy; consumers stay idempotent on it anyway.
/// </summary>
/// <param name="EventId">A unique id (a GUID string), stable across republishing.</param>
/// <param name="Type">The event type, e.g. <c>forum.post.created</c>.</param>
/// <param name="Region">The region the change happened in.</param>
/// <param name="Entity">The entity kind: <c>account</c>, <c>topic</c>, <c>post</c>, <c>announcement</c>.</param>
/// <param name="EntityId">The entity's id.</param>
/// <param name="Version">The entity's version after the change (starts at 1, +1 per change).</param>
/// <param name="OccurredAt">When the change was committed (UTC).</param>
/// <param name="RequestId">The request id of the request that made the change.</param>
/// <param name="Personal">True for personal data, which must never leave its region.</param>
/// <param name="Data">The entity's state after the change (null for a deletion).</param>
public sealed record DomainEvent(
    string EventId,
    string Type,
    string Region,
    string Entity,
    long EntityId,
    int Version,
    DateTimeOffset OccurredAt,
    string? RequestId,
    bool Personal,
    JsonElement? Data);
