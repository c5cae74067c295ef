using System.Text.Json;

namespace Fleet.Contracts;

/// <summary>One public change in a <see cref="ReplicationBatch"/>.</summary>
/// <param name="ChangeId">The change id in the origin region's log; (origin, change id) is the dedup key.</param>
/// <param name="Entity">The entity kind, e.g. <c>post</c>.</param>
/// <param name="EntityId">The entity's id in its origin region.</param>
/// <param name="Version">The entity's version.</param>
/// <param name="Deleted">True for a tombstone.</param>
/// <param name="Data">The entity's state (null for a tombstone).</param>
public sealed record ReplicatedChange(long ChangeId, string Entity, long EntityId, int Version, bool Deleted, JsonElement? Data);
