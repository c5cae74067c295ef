namespace Fleet.Contracts;

/// <summary>
/// Public changes of one origin region, in change order, shipped to another region. Only public data is ever
/// shipped; receivers check the classification again and refuse anything personal.
/// </summary>
/// <param name="OriginRegion">The region whose change log the changes come from.</param>
/// <param name="Changes">The changes, ascending by <see cref="ReplicatedChange.ChangeId"/>.</param>
/// <param name="UpTo">The sender's change id this batch covers up to (skipped personal rows included).</param>
public sealed record ReplicationBatch(string OriginRegion, IReadOnlyList<ReplicatedChange> Changes, long UpTo);
