namespace Fleet.Contracts;

/// <summary>The receiving region's answer: the origin change id it has durably applied up to.</summary>
/// <param name="Checkpoint">The receiver's checkpoint for the origin region after the batch.</param>
public sealed record ReplicationAck(long Checkpoint);
